package handlers

import (
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web"
)

// startLab posts a lab's start form and returns the sessions it started
// (stopped at once: the tests check their configurations).
func (ts *testServer) startLab(t *testing.T, slug string, form url.Values) []*session.Session {
	t.Helper()
	res, b := ts.do(t, "POST", "/labs/"+slug+"/start", form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil || res.StatusCode != http.StatusSeeOther || loc.Path != "/labs/"+slug {
		t.Fatalf("start %s: %d, Location %q: %.300s", slug, res.StatusCode, res.Header.Get("Location"), b)
	}
	var out []*session.Session
	for _, id := range strings.Split(loc.Query().Get("s"), ",") {
		s, err := ts.m.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		_ = s.Stop() // only its configuration is checked
		out = append(out, s)
	}
	return out
}

func TestExplorerAndDenoisingLabsStart(t *testing.T) {
	ts := newTestServer(t)
	ss := ts.startLab(t, "explorer", url.Values{})
	if c := ss[0].Config(); len(ss) != 1 || c.Bottleneck != 2 || c.TrainSize != 10000 || c.Dataset != "mnist" || c.Noise != nil {
		t.Fatalf("explorer: %d sessions, %+v", len(ss), c)
	}
	ss = ts.startLab(t, "explorer", url.Values{"bottleneck": {"16"}, "activation": {"tanh"}, "train_size": {"500"}})
	if c := ss[0].Config(); c.Bottleneck != 16 || c.Activation != "tanh" || c.TrainSize != 500 {
		t.Fatalf("explorer with options: %+v", c)
	}
	ss = ts.startLab(t, "denoising", url.Values{})
	if len(ss) != 2 || ss[0].Config().Noise == nil || *ss[0].Config().Noise != (session.NoiseConfig{Kind: "gaussian", Level: 0.5}) ||
		ss[1].Config().Noise != nil || ss[1].Config().Seed != ss[0].Config().Seed || ss[1].Config().TrainSize != ss[0].Config().TrainSize {
		t.Fatalf("denoising: %d sessions", len(ss))
	}
	ss = ts.startLab(t, "denoising", url.Values{"noise": {"salt_pepper"}, "level": {"0.2"}, "compare": {"no"}, "train_size": {"300"}})
	if c := ss[0].Config(); len(ss) != 1 || *c.Noise != (session.NoiseConfig{Kind: "salt_pepper", Level: 0.2}) || c.TrainSize != 300 {
		t.Fatalf("denoising without comparison: %d sessions, %+v", len(ss), c)
	}

	before := len(ts.m.List())
	for _, tc := range []struct {
		slug   string
		form   url.Values
		status int
		says   string
	}{
		{"explorer", url.Values{"bottleneck": {"1"}}, 400, "between 2 and 64 latent units"},
		{"explorer", url.Values{"train_size": {"lots"}}, 400, "between 100 and 60000"},
		{"explorer", url.Values{"activation": {"swish"}}, 400, "activation"},
		{"denoising", url.Values{"level": {"0"}}, 400, "above 0 and at most 1"},
		{"denoising", url.Values{"level": {"1.5"}}, 400, "above 0 and at most 1"},
		{"denoising", url.Values{"level": {"half"}}, 400, "is not a number"},
		{"denoising", url.Values{"noise": {"none"}}, 400, "choose Gaussian, masking or salt and pepper"},
	} {
		res, b := ts.do(t, "POST", "/labs/"+tc.slug+"/start", tc.form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		if res.StatusCode != tc.status || !strings.Contains(string(b), tc.says) {
			t.Errorf("%s %v: %d; want %d saying %q", tc.slug, tc.form, res.StatusCode, tc.status, tc.says)
		}
	}
	if n := len(ts.m.List()); n != before {
		t.Fatalf("refused forms started %d sessions", n-before)
	}

	// Each lab page names its script, the script exists, and the home page links the lab.
	static, _ := fs.Sub(web.Static, "static")
	_, home := ts.do(t, "GET", "/", "", nil)
	for _, slug := range []string{"explorer", "denoising"} {
		res, b := ts.do(t, "GET", "/labs/"+slug, "", nil)
		if res.StatusCode != 200 || !strings.Contains(string(b), `src="`+web.Asset("/static/js/lab-"+slug+".js")+`"`) || !strings.Contains(string(b), "uPlot.min.css") {
			t.Errorf("/labs/%s: %d, without its script or the chart styles", slug, res.StatusCode)
		}
		if _, err := fs.Stat(static, "js/lab-"+slug+".js"); err != nil {
			t.Errorf("lab-%s.js is not embedded: %v", slug, err)
		}
		if !strings.Contains(string(home), `data-testid="home-lab-`+slug+`"`) {
			t.Errorf("the home page does not link the %s lab", slug)
		}
	}
}

// TestLabStartKeepsTheChosenOptions checks that the lab page after a start
// shows the options as submitted, so that "Start again" repeats them.
func TestLabStartKeepsTheChosenOptions(t *testing.T) {
	ts := newTestServer(t)
	form := url.Values{"bottleneck": {"8"}, "train_size": {"500"}}
	res, _ := ts.do(t, "POST", "/labs/explorer/start", form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d", res.StatusCode)
	}
	loc := res.Header.Get("Location")
	_, page := ts.do(t, "GET", loc, "", nil)
	for _, want := range []string{`<option value="8" selected>`, `name="train_size" value="500"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the lab page after the start (%s) lacks %s", loc, want)
		}
	}
}
