package handlers

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aelab/aelab/ae"
)

// The conv field reaches the engine through the API, and its mistakes are
// refused with 400 naming it.
func TestAPIConv(t *testing.T) {
	ts := newTestServer(t)
	const ref = `"conv":[{"filters":16,"kernel":3,"stride":2},{"filters":32,"kernel":3,"stride":2}]`
	res, b := ts.do(t, "POST", "/api/sessions/check", `{"encoder":[],"bottleneck":32,`+ref+`}`, nil)
	var c checkBody
	if err := json.Unmarshal(b, &c); err != nil || res.StatusCode != 200 || len(c.Errors) != 0 {
		t.Fatalf("check → %d %s", res.StatusCode, b)
	}
	if c.Summary.Params != 111521 || len(c.Summary.Conv) != 2 || len(c.Config.Conv) != 2 {
		t.Errorf("summary %+v, config conv %v; want PyTorch's 111521 parameters and both layers", c.Summary, c.Config.Conv)
	}

	for name, tc := range map[string]struct{ body, want string }{
		"not images":   {`{"dataset":"swiss_roll","bottleneck":1,` + ref + `}`, "not an image dataset"},
		"even kernel":  {`{"bottleneck":32,"conv":[{"filters":16,"kernel":2,"stride":2}]}`, "conv layer 1: kernel = 2; it must be odd"},
		"zero filters": {`{"bottleneck":32,"conv":[{"filters":16,"kernel":3,"stride":2},{"filters":0,"kernel":3,"stride":1}]}`, "conv layer 2: filters = 0"},
		"no stride":    {`{"bottleneck":32,"conv":[{"filters":16,"kernel":3}]}`, "conv layer 1: stride = 0"},
		"shrinks away": {`{"bottleneck":8,"conv":[` + strings.Repeat(`{"filters":4,"kernel":3,"stride":2},`, 4) + `{"filters":4,"kernel":3,"stride":2}]}`, "conv layer 5: its 2×2 input is smaller than its 3×3 kernel"},
	} {
		res, b := ts.do(t, "POST", "/api/sessions", tc.body, nil)
		var e errorBody
		_ = json.Unmarshal(b, &e)
		if res.StatusCode != 400 || !strings.Contains(e.Errors["conv"], tc.want) {
			t.Errorf("%s: %d %s; want 400 with a conv error mentioning %q", name, res.StatusCode, b, tc.want)
		}
	}
	res, b = ts.do(t, "POST", "/api/sessions", `{"bottleneck":32,"conv":[{"filters":16,"kernel":3,"stride":2,"padding":1}]}`, nil)
	if res.StatusCode != 400 || !strings.Contains(string(b), "padding") {
		t.Errorf("an unknown key in a conv layer: %d %s; want 400 naming it", res.StatusCode, b)
	}
	if n := len(ts.m.List()); n != 0 {
		t.Fatalf("%d sessions were created by refused requests", n)
	}

	res, b = ts.do(t, "POST", "/api/sessions", `{"encoder":[],"bottleneck":32,"train_size":256,"test_size":100,"epochs":1,`+ref+`}`, nil)
	if res.StatusCode != 201 {
		t.Fatalf("a convolutional session → %d %s", res.StatusCode, b)
	}
	for _, s := range ts.m.List() {
		waitEnded(t, s)
	}
}

// The home form's conv field: "16, 32" starts the reference convolutional
// autoencoder, text that is not layers is refused on the field, and "Train
// again" fills the field back in.
func TestHomeFormConv(t *testing.T) {
	ts := newTestServer(t)
	form := url.Values{"dataset": {"mnist"}, "encoder": {""}, "bottleneck": {"32"}, "conv": {"16/5"},
		"epochs": {"1"}, "train_size": {"128"}, "batch_size": {"32"}, "seed": {"1"}}
	post := func() (*http.Response, []byte) {
		return ts.do(t, "POST", "/sessions", form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	}
	if res, b := post(); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "filters of each convolutional layer") {
		t.Fatalf("unreadable conv: %d", res.StatusCode)
	}
	form.Set("conv", "16, 32")
	res, b := post()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("conv form: %d %s", res.StatusCode, b)
	}
	ss := ts.m.List()
	if len(ss) != 1 {
		t.Fatalf("%d sessions", len(ss))
	}
	c := ss[0].Config()
	if len(c.Conv) != 2 || c.Conv[1] != (ae.ConvLayer{Filters: 32, Kernel: 3, Stride: 2}) {
		t.Fatalf("the session's conv is %v", c.Conv)
	}
	if got := configForm(c).Conv; got != "16, 32" {
		t.Errorf("Train again fills conv with %q", got)
	}
	if got := convForm([]ae.ConvLayer{{Filters: 8, Kernel: 5, Stride: 1}, {Filters: 4, Kernel: 3, Stride: 2}}); got != "8/5/1, 4" {
		t.Errorf("convForm = %q", got)
	}
	waitEnded(t, ss[0])
}
