package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aelab/aelab/internal/lab"
)

// TestVAESessionAPI creates a VAE through the API with every new field,
// checks the refusals of those fields, and generates examples from its
// prior: n of them, in the data's range, equal for equal seeds.
func TestVAESessionAPI(t *testing.T) {
	ts := newTestServer(t)
	for _, tc := range []struct{ body, field, says string }{
		{`{"bottleneck":2,"kind":"gan"}`, "kind", "ae, vae"},
		{`{"bottleneck":2,"beta":2}`, "beta", "vae"},
		{`{"bottleneck":2,"kind":"vae","beta":0}`, "beta", "from 0.0001 to 100"},
		{`{"bottleneck":2,"kind":"vae","beta":-1}`, "beta", "from 0.0001 to 100"},
		{`{"bottleneck":2,"kind":"vae","beta":1000}`, "beta", "from 0.0001 to 100"},
		{`{"bottleneck":2,"kind":"vae","beta":5e-324}`, "beta", "from 0.0001 to 100, not 5e-324"},
		{`{"bottleneck":2,"kind":"vae","beta":0.00009}`, "beta", "from 0.0001 to 100, not 9e-05"},
		{`{"bottleneck":2,"kind":"vae","beta":"high"}`, "beta", "number"},
		{`{"bottleneck":2,"sparsity":-1}`, "sparsity", "between 0"},
		{`{"bottleneck":2,"sparsity":100}`, "sparsity", "between 0"},
		{`{"bottleneck":2,"weight_decay":-0.1}`, "weight_decay", "between 0"},
		{`{"bottleneck":2,"weight_decay":5}`, "weight_decay", "between 0"},
	} {
		res, b := ts.do(t, "POST", "/api/sessions", tc.body, nil)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), `"`+tc.field+`"`) || !strings.Contains(string(b), tc.says) {
			t.Errorf("%s: %d %s; want 400 naming %s and saying %q", tc.body, res.StatusCode, b, tc.field, tc.says)
		}
	}

	id, _ := ts.trained(t, `{"kind":"vae","beta":1,"sparsity":0.001,"weight_decay":0.0001,"loss":"bce","encoder":[64],"bottleneck":2,"train_size":1000,"test_size":200,"batch_size":50,"epochs":2,"seed":3}`)
	var info map[string]any
	ts.call(t, "GET", "/api/sessions/"+id, "", &info)
	cfg, _ := info["config"].(map[string]any)
	if cfg["kind"] != "vae" || cfg["beta"] != 1.0 || cfg["sparsity"] != 0.001 || cfg["weight_decay"] != 0.0001 {
		t.Errorf("session config %v; want the VAE fields back", cfg)
	}

	var a, b, c lab.Generated
	ts.call(t, "POST", "/api/sessions/"+id+"/generate", `{"n":16,"seed":4}`, &a)
	ts.call(t, "POST", "/api/sessions/"+id+"/generate", `{"n":16,"seed":4}`, &b)
	ts.call(t, "POST", "/api/sessions/"+id+"/generate", `{"n":16}`, &c)
	if a.Count != 16 || a.Kind != "image" || a.Width != 28 || a.Height != 28 || len(a.Data) != 16*784 || a.Seed != 4 {
		t.Fatalf("generate: count %d kind %s %d×%d, %d bytes, seed %d", a.Count, a.Kind, a.Width, a.Height, len(a.Data), a.Seed)
	}
	if !slices.Equal(a.Data, b.Data) || c.Seed != 3 || slices.Equal(a.Data, c.Data) {
		t.Errorf("equal seeds must give equal examples, other seeds others (default seed %d)", c.Seed)
	}
	vals := imageValues(t, a.Images)
	if slices.Equal(vals[0], vals[1]) {
		t.Error("two prior samples decoded to the same image")
	}
	for _, tc := range []struct{ body, field string }{
		{`{"n":0}`, "n"}, {`{"n":100000}`, "n"}, {`{"n":-1}`, "n"},
		{`{"n":4,"seed":-1}`, "seed"}, {fmt.Sprintf(`{"n":4,"seed":%d}`, uint64(1)<<60), "seed"}, {`{"n":4,"z":[[0,0]]}`, "z"},
	} {
		res, body := ts.do(t, "POST", "/api/sessions/"+id+"/generate", tc.body, nil)
		var e struct{ Field string }
		json.Unmarshal(body, &e)
		if res.StatusCode != http.StatusBadRequest || e.Field != tc.field {
			t.Errorf("generate %s: %d %s; want 400 naming %q", tc.body, res.StatusCode, body, tc.field)
		}
	}
	// A missing n gets its documented default (16 examples).
	res, body := ts.do(t, "POST", "/api/sessions/"+id+"/generate", `{}`, nil)
	var d struct{ Count int }
	if err := json.Unmarshal(body, &d); res.StatusCode != http.StatusOK || err != nil || d.Count != 16 {
		t.Errorf("generate {}: %d %.200s; want 200 with the default of 16 examples", res.StatusCode, body)
	}
	plain, _ := ts.trained(t, `{"encoder":[16],"bottleneck":2,"train_size":200,"test_size":100,"batch_size":50,"epochs":1}`)
	res, body = ts.do(t, "POST", "/api/sessions/"+plain+"/generate", `{"n":4}`, nil)
	if res.StatusCode != http.StatusConflict || !strings.Contains(string(body), "vae") {
		t.Errorf("generate on a plain autoencoder: %d %s; want 409 saying to use kind vae", res.StatusCode, body)
	}
}
