package handlers

import (
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

// TestPagesRefuseARepeatedQueryParameter: every HTML page (each GET route
// outside /api, /static and the probes, found by walking the router, so
// that a new page is tested too) refuses a query parameter given twice
// with its error view, status 400, naming the parameter, instead of taking
// the first value; lists (lock, hide on the home and class forms, the runs
// page's ticked sessions) may repeat, and a parameter given once works.
func TestPagesRefuseARepeatedQueryParameter(t *testing.T) {
	ts, _ := newClassServer(t)
	id, _ := ts.trained(t, `{"encoder":[16],"bottleneck":2,"train_size":200,"test_size":100,"batch_size":50,"epochs":1}`)
	res, b := ts.do(t, "POST", "/api/classes", classPreset, nil)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create class: %d %s", res.StatusCode, b)
	}
	var cl classCreatedBody
	decodeInto(t, b, &cl)
	params := map[string]string{"{id}": id, "{slug}": "explorer", "{code}": cl.Code}

	// Every page route, from the router itself.
	r := chi.NewRouter()
	addRoutes(r, Deps{Sessions: ts.m, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Sockets: ts.socks})
	var pages []string
	err := chi.Walk(r, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if method == http.MethodGet && !strings.HasPrefix(route, "/api/") && !strings.HasPrefix(route, "/static/") &&
			!slices.Contains([]string{"/healthz", "/readyz", "/metrics"}, route) {
			pages = append(pages, route)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) < 11 {
		t.Fatalf("found only the pages %v", pages)
	}
	for _, route := range pages {
		path := route
		for k, v := range params {
			path = strings.ReplaceAll(path, k, v)
		}
		if route == "/classes/{id}" || route == "/classes/{id}/train" {
			path = strings.ReplaceAll(route, "{id}", cl.ID)
		}
		if route == "/compare/{id}" {
			path = "/compare/cmp-none" // the check comes before the comparison is looked up
		}
		for _, tc := range []struct{ query, field string }{
			{"present&present", "present"},
			{"dataset=mnist&dataset=iris", "dataset"},
			{"epochs=3&seed=1&seed=2", "seed"},
		} {
			res, body := ts.do(t, "GET", path+"?"+tc.query, "", nil)
			if res.StatusCode != http.StatusBadRequest || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
				!strings.Contains(string(body), "&#34;"+tc.field+"&#34; is given 2 times") {
				t.Errorf("GET %s?%s: %d %s %.300s; want the error page, 400, naming %q", path, tc.query, res.StatusCode, res.Header.Get("Content-Type"), body, tc.field)
			}
		}
	}
	// Two parameters repeated: both named.
	if res, body := ts.do(t, "GET", "/?seed=1&seed=2&epochs=1&epochs=2", "", nil); res.StatusCode != 400 ||
		!strings.Contains(string(body), "epochs") || !strings.Contains(string(body), "seed") {
		t.Errorf("two repeated: %d %.300s; want 400 naming epochs and seed", res.StatusCode, body)
	}
	// Once each, and lists, still work.
	for _, p := range []string{"/?dataset=mnist&epochs=3", "/?lock=dataset&lock=bottleneck&hide=seed&hide=loss",
		"/classes/new?lock=dataset&lock=epochs", "/sessions/" + id + "?present", "/labs", "/labs/explorer?s=" + id,
		"/join?code=" + cl.Code, "/runs?sessions=" + id + "&sessions=" + id} {
		if res, body := ts.do(t, "GET", p, "", nil); res.StatusCode != 200 {
			t.Errorf("GET %s: %d %.300s", p, res.StatusCode, body)
		}
	}
}
