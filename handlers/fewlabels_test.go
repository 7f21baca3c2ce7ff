package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aelab/aelab/session"
)

// fewLabelsJSON trains a small MNIST autoencoder in a couple of seconds.
const fewLabelsJSON = `{"dataset":"mnist","encoder":[64],"bottleneck":8,"train_size":3000,"test_size":200,"batch_size":32,"epochs":2,"seed":1}`

// TestFewLabelEndpoints trains one autoencoder and asks the feature
// extraction and pretraining endpoints about it, with good and bad inputs.
func TestFewLabelEndpoints(t *testing.T) {
	ts := newTestServer(t)
	c := ts.create(t, fewLabelsJSON)
	s, _ := ts.m.Get(c.ID)
	waitEnded(t, s)
	path := "/api/sessions/" + c.ID

	// Feature extraction with the defaults (an empty body): k-NN, k = 5,
	// 10 labels per class.
	res, b := ts.do(t, "POST", path+"/features", "", nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("features: %d %s", res.StatusCode, b)
	}
	var f session.FeaturesResult
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	t.Logf("k-NN: latent %.3f, PCA %.3f, raw %.3f, chance %.3f; k-means purity %.3f; %.2f s",
		f.Accuracy.Latent, f.Accuracy.PCA, f.Accuracy.Raw, f.Chance, f.KMeans.Purity.Latent, f.Seconds)
	if f.Classifier != "knn" || f.K != 5 || f.LabelsPerClass != 10 || f.TrainExamples != 100 || f.TestExamples != 5000 ||
		f.Bottleneck != 8 || f.PCAComponents != 8 || f.Classes != 10 || f.KMeans.Clusters != 10 || f.State != session.Completed {
		t.Fatalf("features answer: %s", b)
	}
	for name, v := range map[string]float64{"latent": f.Accuracy.Latent, "pca": f.Accuracy.PCA, "raw": f.Accuracy.Raw,
		"purity": f.KMeans.Purity.Latent, "chance": f.Chance} {
		if !(v >= 0 && v <= 1) {
			t.Errorf("%s = %v; want a share in [0, 1]", name, v)
		}
	}
	// Ten digits: chance is about 0.1. Codes learned without labels must do
	// far better with 100 labels.
	if f.Chance > 0.15 || f.Accuracy.Latent < 3*f.Chance || f.KMeans.Purity.Latent < 2*f.Chance {
		t.Errorf("latent accuracy %.3f, purity %.3f: not far above chance %.3f", f.Accuracy.Latent, f.KMeans.Purity.Latent, f.Chance)
	}

	res, b = ts.do(t, "POST", path+"/features", `{"labels_per_class":5,"classifier":"logreg"}`, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("features logreg: %d %s", res.StatusCode, b)
	}
	var lr session.FeaturesResult
	if err := json.Unmarshal(b, &lr); err != nil {
		t.Fatal(err)
	}
	if lr.Classifier != "logreg" || lr.TrainExamples != 50 || lr.K != 0 || !(lr.Accuracy.Latent > 2*lr.Chance && lr.Accuracy.Latent <= 1) {
		t.Fatalf("features logreg answer: %s", b)
	}

	// Pretraining: two curves, one value per epoch.
	res, b = ts.do(t, "POST", path+"/pretrain", `{"labels":100,"epochs":25,"test_size":300}`, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("pretrain: %d %s", res.StatusCode, b)
	}
	var p session.PretrainResult
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	t.Logf("pretrain in %.2f s: pretrained %v; random %v", p.Seconds, p.Pretrained.Accuracy, p.Random.Accuracy)
	if len(p.Pretrained.Accuracy) != 25 || len(p.Random.Accuracy) != 25 || len(p.Pretrained.TrainLoss) != 25 ||
		p.Labels != 100 || p.Epochs != 25 || p.TestExamples != 300 || p.Head != "zero" ||
		!slices.Equal(p.Sizes, []int{784, 64, 8, 10}) || p.Pretrained.Final != p.Pretrained.Accuracy[24] {
		t.Fatalf("pretrain answer: %s", b)
	}
	for _, v := range append(slices.Clone(p.Pretrained.Accuracy), p.Random.Accuracy...) {
		if !(v >= 0 && v <= 1) {
			t.Fatalf("accuracy %v outside [0, 1]: %s", v, b)
		}
	}
	// 100 small steps: both must have learned something, whichever wins.
	if slices.Max(p.Random.Accuracy) < p.Chance+0.1 || slices.Max(p.Pretrained.Accuracy) < p.Chance+0.1 {
		t.Errorf("after 25 epochs on 100 labels: pretrained %v, random %v; chance %.3f", p.Pretrained.Accuracy, p.Random.Accuracy, p.Chance)
	}

	cases := []struct {
		name, path, body string
		status           int
		field, says      string
	}{
		{"too many labels per class", "/features", `{"labels_per_class":101}`, 400, "labels_per_class", "between 1 and 100"},
		{"unknown classifier", "/features", `{"classifier":"svm"}`, 400, "classifier", `"knn"`},
		{"k too large", "/features", `{"labels_per_class":2,"k":5}`, 400, "k", "at most twice"},
		{"k with logreg", "/features", `{"classifier":"logreg","k":3}`, 400, "k", "k-NN only"},
		{"k not a number", "/features", `{"k":"five"}`, 400, "k", "whole number"},
		{"unknown field", "/features", `{"labels":10}`, 400, "labels", "unknown field"},
		{"malformed", "/features", `{"k":`, 400, "", "JSON"},
		{"too few labels", "/pretrain", `{"labels":5}`, 400, "labels", "between 10 and 5000"},
		{"negative epochs", "/pretrain", `{"epochs":-1}`, 400, "epochs", "between 1 and 200"},
		{"tiny test", "/pretrain", `{"test_size":20}`, 400, "test_size", "between 100"},
		{"bad head", "/pretrain", `{"head":"ones"}`, 400, "head", `"zero"`},
		{"too much work", "/pretrain", `{"labels":5000,"epochs":200,"test_size":5000}`, 400, "epochs", "fewer epochs"},
		{"more labels than the pool", "/pretrain", `{"labels":4000,"epochs":1}`, 400, "labels", "at most that many"},
	}
	for _, tc := range cases {
		res, b := ts.do(t, "POST", path+tc.path, tc.body, nil)
		var e errorBody
		_ = json.Unmarshal(b, &e)
		if res.StatusCode != tc.status || e.Field != tc.field || !strings.Contains(e.Error, tc.says) {
			t.Errorf("%s: %d field=%q %q; want %d field=%q mentioning %q", tc.name, res.StatusCode, e.Field, e.Error, tc.status, tc.field, tc.says)
		}
	}
	for _, p := range []string{"/features", "/pretrain"} {
		res, b := ts.do(t, "POST", "/api/sessions/nope"+p, `{}`, nil)
		if res.StatusCode != http.StatusNotFound || !strings.Contains(string(b), "no session") {
			t.Errorf("unknown session %s: %d %s", p, res.StatusCode, b)
		}
		res, _ = ts.do(t, "GET", path+p, "", nil)
		if res.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("GET %s: %d; want 405", p, res.StatusCode)
		}
	}
}

// TestFewLabelLabsStart starts the anomaly, feature-extraction and
// pretraining labs from their forms and checks the sessions they create.
func TestFewLabelLabsStart(t *testing.T) {
	ts := newTestServer(t)
	post := func(slug string, form url.Values) (*http.Response, []byte) {
		return ts.do(t, "POST", "/labs/"+slug+"/start", form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	}
	sessionsOf := func(res *http.Response, body []byte) []*session.Session {
		t.Helper()
		loc, err := url.Parse(res.Header.Get("Location"))
		if err != nil || res.StatusCode != http.StatusSeeOther {
			t.Fatalf("start: %d, Location %q: %.300s", res.StatusCode, res.Header.Get("Location"), body)
		}
		var out []*session.Session
		for _, id := range strings.Split(loc.Query().Get("s"), ",") {
			s, err := ts.m.Get(id)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
			t.Cleanup(func() { _ = s.Stop() })
		}
		return out
	}

	ss := sessionsOf(post("anomaly", url.Values{"dataset": {"mnist"}, "anomaly": {"7"}, "train_size": {"500"}}))
	if c := ss[0].Config(); len(ss) != 1 || slices.Contains(c.TrainClasses, 7) || len(c.TrainClasses) != 9 || c.TrainSize != 500 {
		t.Fatalf("anomaly lab config: %+v", c)
	}
	ss = sessionsOf(post("anomaly", url.Values{"dataset": {"sine_waves"}, "anomaly": {"7"}}))
	if c := ss[0].Config(); !slices.Equal(c.TrainClasses, []int{0}) || c.TrainSize != 3000 {
		t.Fatalf("anomaly lab on sine waves: %+v", c)
	}
	ss = sessionsOf(post("features", url.Values{"widths": {"4, 2"}, "train_size": {"300"}}))
	if len(ss) != 2 || ss[0].Config().Bottleneck != 4 || ss[1].Config().Bottleneck != 2 || ss[0].Config().Seed != ss[1].Config().Seed {
		t.Fatalf("features lab: %d sessions", len(ss))
	}
	ss = sessionsOf(post("pretraining", url.Values{"train_size": {"300"}}))
	if c := ss[0].Config(); c.Bottleneck != 32 || c.TrainSize != 300 {
		t.Fatalf("pretraining lab config: %+v", c)
	}

	for _, tc := range []struct {
		slug string
		form url.Values
		says string
	}{
		{"anomaly", url.Values{"anomaly": {"10"}}, "choose the class"},
		{"anomaly", url.Values{"dataset": {"iris"}}, "choose one of the datasets"},
		{"features", url.Values{"widths": {"8"}}, "2 to 5 different widths"},
		{"features", url.Values{"widths": {"2, 2"}}, "2 to 5 different widths"},
		{"features", url.Values{"widths": {"2, 999"}}, "2 to 5 different widths"},
		{"pretraining", url.Values{"train_size": {"ten"}}, "between 200 and 60000"},
	} {
		res, b := post(tc.slug, tc.form)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), tc.says) {
			t.Errorf("%s %v: %d; want 400 saying %q", tc.slug, tc.form, res.StatusCode, tc.says)
		}
	}
	// The home page links every lab.
	_, b := ts.do(t, "GET", "/", "", nil)
	for _, slug := range []string{"anomaly", "features", "pretraining"} {
		if !strings.Contains(string(b), `data-testid="home-lab-`+slug+`"`) {
			t.Errorf("the home page does not link the %s lab", slug)
		}
	}
}

// TestFewLabelEndpointsNeedClasses: a session on data without class labels
// cannot be asked either question (409, saying why).
func TestFewLabelEndpointsNeedClasses(t *testing.T) {
	ts := newUploadServer(t, "")
	var b strings.Builder
	for i := range 80 {
		fmt.Fprintf(&b, "%d,%d,%d\n", i%7, i%5, i%3)
	}
	res, body := ts.upload(t, "/api/datasets", map[string]string{"header": "no", "test_fraction": "0.25"}, "plain.csv", b.String())
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", res.StatusCode, body)
	}
	a := decodeUpload(t, body)
	c := ts.create(t, `{"dataset":"`+a.Name+`","encoder":[8],"bottleneck":2,"batch_size":16,"epochs":1}`)
	s, _ := ts.m.Get(c.ID)
	waitEnded(t, s)
	for _, p := range []string{"/features", "/pretrain"} {
		res, b := ts.do(t, "POST", "/api/sessions/"+c.ID+p, "", nil)
		if res.StatusCode != http.StatusConflict || !strings.Contains(string(b), "no class labels") {
			t.Errorf("%s on unlabelled data: %d %s", p, res.StatusCode, b)
		}
	}
}
