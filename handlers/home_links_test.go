package handlers

import (
	"context"
	"html"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web"
	"github.com/aelab/aelab/web/templates"
)

// inputValue finds the value of the form input or the selected option named name in a page.
func inputValue(t *testing.T, page, name string) string {
	t.Helper()
	in := regexp.MustCompile(`<input[^>]*name="` + name + `"[^>]*value="([^"]*)"`).FindStringSubmatch(page)
	if in != nil {
		return html.UnescapeString(in[1])
	}
	sel := regexp.MustCompile(`(?s)<select[^>]*name="` + name + `".*?</select>`).FindString(page)
	opt := regexp.MustCompile(`<option value="([^"]*)" selected`).FindStringSubmatch(sel)
	if opt == nil {
		t.Fatalf("no field %s with a value on the page", name)
	}
	return opt[1]
}

// TestHomeFormFromTheAddress: every field of the form can be set from the
// address, and the rest keep their defaults.
func TestHomeFormFromTheAddress(t *testing.T) {
	ts := newTestServer(t)
	q := url.Values{"dataset": {"mnist"}, "encoder": {"512, 128"}, "bottleneck": {"50"}, "decoder": {"64"},
		"activation": {"tanh"}, "bottleneck_activation": {"relu"}, "output_activation": {"linear"}, "loss": {"l1"},
		"optimizer": {"sgd"}, "learning_rate": {"0.05"}, "batch_size": {"16"}, "epochs": {"7"}, "train_size": {"900"}, "seed": {"42"},
		"kind": {"vae"}, "beta": {"4"}, "sparsity": {"0.01"}, "weight_decay": {"0.0001"}, "conv": {"16, 32/5/1"},
		"noise": {"gaussian"}, "noise_level": {"0.2"}, "init": {"pytorch"}, "test_size": {"500"}, "train_classes": {"0, 1"}}
	for _, name := range templates.FieldNames {
		if !q.Has(name) {
			t.Fatalf("the test sets no %s: every field must be settable", name)
		}
	}
	res, b := ts.do(t, "GET", "/?"+q.Encode(), "", nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /?…: %d", res.StatusCode)
	}
	page := string(b)
	for _, name := range templates.FieldNames {
		if name == "dataset" {
			if !strings.Contains(page, `value="mnist" checked`) {
				t.Error("mnist is not checked")
			}
			continue
		}
		if got := inputValue(t, page, name); got != q.Get(name) {
			t.Errorf("%s = %q from the address, want %q", name, got, q.Get(name))
		}
	}
	// The example of the issue; the fields it leaves out keep their defaults.
	_, b = ts.do(t, "GET", "/?dataset=mnist&encoder=256&bottleneck=50&loss=bce&epochs=5", "", nil)
	page = string(b)
	for name, want := range map[string]string{"loss": "bce", "epochs": "5", "optimizer": "adam", "bottleneck_activation": "linear", "seed": "1"} {
		if got := inputValue(t, page, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

// TestHomeSmallDatasetFitsTheShape: /?dataset=swiss_roll (the toy-set card's
// link, an upload's redirect) sets M and the hidden layer to values that fit
// 3 features, unless the address sets them.
func TestHomeSmallDatasetFitsTheShape(t *testing.T) {
	ts := newTestServer(t)
	_, b := ts.do(t, "GET", "/?dataset=swiss_roll", "", nil)
	page := string(b)
	if enc, m := inputValue(t, page, "encoder"), inputValue(t, page, "bottleneck"); enc != "16" || m != "2" {
		t.Errorf("swiss roll: encoder %q, M %q; want 16, 2", enc, m)
	}
	_, b = ts.do(t, "GET", "/?dataset=sine_waves", "", nil)
	if enc, m := inputValue(t, string(b), "encoder"), inputValue(t, string(b), "bottleneck"); enc != "128" || m != "2" {
		t.Errorf("sine waves (K = 64): encoder %q, M %q; want 128, 2", enc, m)
	}
	_, b = ts.do(t, "GET", "/?dataset=blobs&encoder=40&bottleneck=3", "", nil)
	page = string(b)
	if enc, m := inputValue(t, page, "encoder"), inputValue(t, page, "bottleneck"); enc != "40" || m != "3" {
		t.Errorf("blobs with a shape in the address: encoder %q, M %q; want 40, 3", enc, m)
	}
	_, b = ts.do(t, "GET", "/", "", nil)
	if enc, m := inputValue(t, string(b), "encoder"), inputValue(t, string(b), "bottleneck"); enc != "256" || m != "50" {
		t.Errorf("home: encoder %q, M %q; want the defaults 256, 50", enc, m)
	}
}

// TestFormStartOverTheRateLimitKeepsTheForm: a valid form over the start
// limit comes back with its values, the message and the seconds to wait
// (429, Retry-After), and an invalid one does not use up a start.
func TestFormStartOverTheRateLimitKeepsTheForm(t *testing.T) {
	static, _ := fs.Sub(web.Static, "static")
	m := session.NewManager(session.Options{Datasets: registry, StartLimit: session.RateLimit{Burst: 1, PerMinute: 1}})
	srv := httptest.NewServer(NewServer(Deps{Sessions: m, Static: static}))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = m.Shutdown(ctx)
		srv.Close()
	})
	ts := &testServer{Server: srv, m: m}
	form := url.Values{"dataset": {"mnist"}, "encoder": {"32"}, "bottleneck": {"900"}, "epochs": {"1"}, "train_size": {"256"}, "batch_size": {"32"}}
	if res, _ := ts.postForm(t, form); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid form: %d", res.StatusCode)
	}
	form.Set("bottleneck", "3")
	if res, _ := ts.postForm(t, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first valid start (the invalid one must not count): %d", res.StatusCode)
	}
	res, b := ts.postForm(t, form)
	page := string(b)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("second start: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if !strings.Contains(page, "too many trainings") || !regexp.MustCompile(`data-retry-after="\d+"`).MatchString(page) {
		t.Errorf("the form does not say why or how long to wait")
	}
	if got := inputValue(t, page, "bottleneck"); got != "3" {
		t.Errorf("the refused form lost its bottleneck: %q", got)
	}
	if n := len(m.List()); n != 1 {
		t.Errorf("%d sessions, want 1", n)
	}
}

// TestSessionPageTrainAgain: the session page links to the form filled with
// its configuration, and that link reproduces every field.
func TestSessionPageTrainAgain(t *testing.T) {
	ts := newTestServer(t)
	c := ts.create(t, `{"dataset":"mnist","encoder":[48,24],"bottleneck":3,"loss":"bce","train_size":300,"test_size":100,"batch_size":30,"epochs":1,"seed":9,"learning_rate":0.002}`)
	_, b := ts.do(t, "GET", "/sessions/"+c.ID, "", nil)
	link := regexp.MustCompile(`href="(/\?[^"]+)" data-testid="train-again"`).FindStringSubmatch(string(b))
	if link == nil {
		t.Fatal("no Train again link on the session page")
	}
	_, form := ts.do(t, "GET", html.UnescapeString(link[1]), "", nil)
	page := string(form)
	for name, want := range map[string]string{"encoder": "48, 24", "bottleneck": "3", "decoder": "", "loss": "bce", "train_size": "300",
		"batch_size": "30", "epochs": "1", "seed": "9", "learning_rate": "0.002", "bottleneck_activation": "linear"} {
		if got := inputValue(t, page, name); got != want {
			t.Errorf("Train again: %s = %q, want %q", name, got, want)
		}
	}
}
