package handlers

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The bottleneck width has no default: a request without it is refused
// saying it is missing (the API, the check, the home form), and one that
// sends 0 is told the range; a sweep takes its widths from "bottlenecks" and refuses "bottleneck" even sent as 0.
func TestMissingBottleneckIsNamedMissing(t *testing.T) {
	ts := newTestServer(t)
	missing := `"bottleneck" is missing: give the width of the code, 1 to 783`
	for _, tc := range []struct{ path, body, says string }{
		{"/api/sessions", `{"dataset":"mnist","encoder":[8]}`, missing},
		{"/api/sessions", `{"dataset":"mnist","encoder":[8],"bottleneck":0}`, "must be between 1 and 783"},
		{"/api/comparisons", `{"dataset":"mnist","encoder":[8],"bottleneck":0,"bottlenecks":[2,4]}`, `leave "bottleneck" out`},
		{"/api/comparisons", `{"dataset":"mnist","encoder":[8],"bottlenecks":[0,2,900]}`, "widths 0, 900: bottleneck width must be between 1 and 783"},
	} {
		res, b := ts.do(t, "POST", tc.path, tc.body, map[string]string{"Content-Type": "application/json"})
		var e errorBody
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatalf("POST %s: %v in %s", tc.path, err, b)
		}
		wantField := "bottleneck"
		if strings.Contains(tc.body, "[0,2,900]") {
			wantField = "bottlenecks"
		}
		if res.StatusCode != http.StatusBadRequest || e.Field != wantField || !strings.Contains(e.Error, tc.says) {
			t.Errorf("POST %s %s: %d %+v; want 400 on %s saying %q", tc.path, tc.body, res.StatusCode, e, wantField, tc.says)
		}
	}
	var check checkBody
	ts.call(t, "POST", "/api/sessions/check", `{"dataset":"mnist"}`, &check)
	if !strings.Contains(check.Errors["bottleneck"], missing) {
		t.Errorf("check without bottleneck: %v", check.Errors)
	}

	form := url.Values{"dataset": {"mnist"}, "encoder": {"8"}, "bottleneck": {""}, "activation": {"relu"},
		"output_activation": {"sigmoid"}, "loss": {"mse"}, "optimizer": {"adam"}, "learning_rate": {"0.001"},
		"batch_size": {"50"}, "epochs": {"1"}, "train_size": {"200"}, "seed": {"1"}}
	for typed, says := range map[string]string{"": missing, "0": "must be between 1 and 783", "x": "must be a whole number"} {
		form.Set("bottleneck", typed)
		res, b := ts.postForm(t, form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(string(b)), says) {
			t.Errorf("form with bottleneck %q: %d, want 422 saying %q", typed, res.StatusCode, says)
		}
	}
	if n := len(ts.m.List()); n != 0 {
		t.Fatalf("refused requests started %d sessions", n)
	}
}
