package handlers

import (
	"net/http"
	"testing"
)

// HEAD is answered wherever GET is (RFC 9110 §9.3.2): health checks such
// as `wget --spider` and link checkers send it. The status and headers are
// GET's, with no body.
func TestHeadIsAnsweredLikeGet(t *testing.T) {
	ts := newTestServer(t)
	s := ts.create(t, smallJSON)
	for path, want := range map[string]int{
		"/healthz":                     200,
		"/":                            200,
		"/runs":                        200,
		"/api/datasets":                200,
		"/api/sessions/" + s.ID:        200,
		"/api/sessions/nope":           404,
		"/static/css/app.css":          200,
		"/api/sessions/" + s.ID + "/x": 404,
	} {
		res, b := ts.do(t, http.MethodHead, path, "", nil)
		if res.StatusCode != want || len(b) != 0 {
			t.Errorf("HEAD %s → %d with %d bytes, want %d and no body", path, res.StatusCode, len(b), want)
		}
	}
	// A method that no route takes is still refused.
	if res, _ := ts.do(t, http.MethodPut, "/api/sessions/"+s.ID, "", nil); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("PUT → %d, want 405", res.StatusCode)
	}
}
