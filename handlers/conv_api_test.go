package handlers

import (
	"encoding/json"
	"strings"
	"testing"
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
}
