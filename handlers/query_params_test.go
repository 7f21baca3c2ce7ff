package handlers

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestRepeatedQueryParameterRefused: a query parameter given twice
// (?step=1&step=2) is refused with 400 naming it on every endpoint that
// reads query parameters, instead of silently taking the first value; a
// parameter present but empty is refused too (only a missing one gets its
// default).
func TestRepeatedQueryParameterRefused(t *testing.T) {
	ts := newTestServer(t)
	id, _ := ts.trained(t, `{"encoder":[16],"bottleneck":2,"train_size":200,"test_size":100,"batch_size":50,"epochs":1}`)
	api := "/api/sessions/" + id
	for _, tc := range []struct{ path, field string }{
		{api + "/manifold?rows=2&rows=3", "rows"},
		{api + "/manifold?rows=2&step=0&step=1", "step"},
		{api + "/manifold?span=codes&span=prior", "span"},
		{api + "/compression?bits=8&bits=4", "bits"},
		{api + "/latent-stats?x=1&x=2", "x"},
		{api + "/pca-projection?k=1&k=2", "k"},
		{"/api/datasets/mnist/samples?n=2&n=64", "n"},
		{"/api/datasets/mnist/samples?seed=1&seed=2", "seed"},
		{"/api/sessions?limit=1&limit=2", "limit"},
		{"/api/sessions?dataset=mnist&dataset=iris", "dataset"},
		{api + "/manifold?rows=", "rows"},
		{api + "/compression?bits=", "bits"},
		{"/api/datasets/mnist/samples?n=", "n"},
	} {
		resp, body := ts.do(t, "GET", tc.path, "", nil)
		var e errorBody
		_ = json.Unmarshal(body, &e)
		if resp.StatusCode != 400 || e.Field != tc.field || !strings.Contains(e.Error, tc.field) {
			t.Errorf("%s: %d %s; want 400 naming %q", tc.path, resp.StatusCode, body, tc.field)
		}
	}
	// A parameter given once still works, and the run list's page keeps its
	// ticked runs, a list.
	for _, p := range []string{api + "/manifold?rows=2&cols=2", "/api/datasets/mnist/samples?n=2", "/api/sessions?limit=1", "/runs?sessions=" + id + "&sessions=" + id} {
		if resp, body := ts.do(t, "GET", p, "", nil); resp.StatusCode != 200 {
			t.Errorf("%s: %d %.200s", p, resp.StatusCode, body)
		}
	}
}
