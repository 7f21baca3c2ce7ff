package handlers

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/aelab/aelab/internal/lab"
)

// TestEmptyBodyNeverSaysGotZero: `{}` sent to each JSON endpoint gets the
// documented defaults or an error saying which field is missing, never
// "got 0" for a field the request did not send (the old answer to
// POST …/generate {}: "n must be between 1 and 256 examples, got 0").
func TestEmptyBodyNeverSaysGotZero(t *testing.T) {
	ts := newTestServer(t)
	vae, _ := ts.trained(t, `{"kind":"vae","encoder":[16],"bottleneck":2,"train_size":200,"test_size":100,"batch_size":50,"epochs":1}`)
	api := "/api/sessions/" + vae
	var g lab.Generated
	ts.call(t, "POST", api+"/generate", `{}`, &g)
	if g.Count != defaultGenerate {
		t.Errorf("generate {}: %d examples, want the documented default %d", g.Count, defaultGenerate)
	}
	zero := regexp.MustCompile(`got 0\b|\b0 examples|= 0\b`)
	for _, p := range []string{"/api/sessions", "/api/sessions/check", "/api/classes", "/api/join", "/api/comparisons",
		api + "/decode", api + "/generate", api + "/encode", api + "/reconstruct", api + "/interpolate", api + "/denoise",
		api + "/features", api + "/pretrain", api + "/step", api + "/set"} {
		resp, body := ts.do(t, "POST", p, `{}`, map[string]string{"Content-Type": "application/json"})
		var e errorBody
		_ = json.Unmarshal(body, &e)
		if zero.MatchString(e.Error) {
			t.Errorf("%s {}: %d %q says a value the request did not send", p, resp.StatusCode, e.Error)
		}
		if resp.StatusCode == 400 && e.Field != "" && !strings.Contains(e.Error, "missing") && !strings.Contains(e.Error, e.Field) {
			t.Errorf("%s {}: %q does not name %q", p, e.Error, e.Field)
		}
	}
	if resp, body := ts.do(t, "POST", "/api/join", `{"name":"Ana"}`, nil); resp.StatusCode != 400 || !strings.Contains(string(body), `\"code\" is missing`) {
		t.Errorf("join without a code: %d %s; want 400 saying code is missing", resp.StatusCode, body)
	}
	resp, body := ts.do(t, "POST", api+"/reconstruct", `{}`, nil)
	if resp.StatusCode != 400 || !strings.Contains(string(body), `\"examples\" is missing`) {
		t.Errorf("reconstruct {}: %d %s; want 400 saying examples is missing", resp.StatusCode, body)
	}
}
