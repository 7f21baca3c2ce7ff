package handlers

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web/templates"
)

// TestEditAndTrainAgainKeepsEveryField follows "Edit and train again" the
// way a browser does: a run started through the API with every
// configuration field away from its default, its session page's link, the
// home form that link fills, and the form posted back as it stands. The new
// run's configuration must be the first one's, field for field. A field
// the test does not set fails it (every exported field of session.Config
// must be set), so a field added later that the form drops cannot pass.
func TestEditAndTrainAgainKeepsEveryField(t *testing.T) {
	ts := newTestServer(t)
	set := map[string]bool{} // the Config fields some run below sets
	for _, body := range []string{
		`{"dataset":"mnist","kind":"vae","beta":4,"conv":[{"filters":4,"kernel":3,"stride":2}],"encoder":[24,12],"bottleneck":6,"decoder":[10,20],
		  "activation":"tanh","output_activation":"sigmoid","init":"pytorch","loss":"bce","optimizer":"momentum",
		  "learning_rate":0.02,"sparsity":0.01,"weight_decay":0.0001,"noise":{"kind":"gaussian","level":0.2},"batch_size":16,"epochs":2,
		  "train_size":320,"test_size":160,"train_classes":[0,1],"seed":42}`,
		`{"dataset":"mnist","encoder":[16],"bottleneck":4,"bottleneck_activation":"relu","output_activation":"linear","loss":"l1","optimizer":"sgd",
		  "noise":{"kind":"masking","level":0.3},"epochs":1,"train_size":256,"init":"he"}`,
		`{"dataset":"mnist","encoder":[],"bottleneck":4,"epochs":1,"train_size":256}`,
	} {
		first := ts.create(t, body)
		s1, err := ts.m.Get(first.ID)
		if err != nil {
			t.Fatal(err)
		}
		c1 := s1.Config()
		v := reflect.ValueOf(c1)
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() && !v.Field(i).IsZero() {
				set[f.Name] = true
			}
		}

		_, page := ts.do(t, "GET", "/sessions/"+first.ID, "", nil)
		link := regexp.MustCompile(`<a[^>]*href="([^"]*)"[^>]*data-testid="train-again"`).FindSubmatch(page)
		if link == nil {
			t.Fatalf("%s: no Edit and train again link", first.ID)
		}
		res, form := ts.do(t, "GET", html.UnescapeString(string(link[1])), "", nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET the edit link: %d", res.StatusCode)
		}
		posted := url.Values{}
		for _, name := range templates.FieldNames {
			if name == "dataset" {
				if !strings.Contains(string(form), `value="mnist" checked`) {
					t.Fatal("mnist is not checked on the edit form")
				}
				posted.Set(name, "mnist")
				continue
			}
			posted.Set(name, inputValue(t, string(form), name))
		}
		res, b := ts.postForm(t, posted)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("posting the edit form back: %d %.600s", res.StatusCode, b)
		}
		s2, err := ts.m.Get(strings.TrimPrefix(res.Header.Get("Location"), "/sessions/"))
		if err != nil {
			t.Fatal(err)
		}
		j1, _ := json.Marshal(c1)
		j2, _ := json.Marshal(s2.Config())
		if string(j1) != string(j2) {
			t.Errorf("Edit and train again changed the configuration:\n first %s\n again %s\n(form %v)", j1, j2, posted)
		}
	}
	ct := reflect.TypeFor[session.Config]()
	for i := range ct.NumField() {
		if f := ct.Field(i); f.IsExported() && !set[f.Name] {
			t.Errorf("no run of the test sets Config.%s: give one a value, and carry it through the form (configForm, parseForm)", f.Name)
		}
	}
}
