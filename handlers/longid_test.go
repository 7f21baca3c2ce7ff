package handlers

import (
	"net/http"
	"strings"
	"testing"
)

// An id or name in the URL is echoed in the 404 shortened: a 5,000-character
// id drew a 5 KB message (up to the 64 KB of a request line before).
func TestNotFoundEchoesLongIDsShortened(t *testing.T) {
	ts := newTestServer(t)
	long := strings.Repeat("a", 5000)
	for _, path := range []string{"/api/sessions/" + long, "/api/comparisons/" + long, "/api/datasets/" + long, "/api/sessions/" + long + "/history.csv"} {
		res, b := ts.do(t, http.MethodGet, path, "", nil)
		if res.StatusCode != http.StatusNotFound || len(b) > 400 || !strings.Contains(string(b), "aaaa") {
			t.Errorf("GET %s… → %d with %d bytes, want 404 naming the id shortened (at most 400 bytes)", path[:20], res.StatusCode, len(b))
		}
	}
}
