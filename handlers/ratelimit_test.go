package handlers

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web"
)

// newServerWithOptions serves the app with a manager of opt, closed with the test.
func newServerWithOptions(t *testing.T, opt session.Options) *httptest.Server {
	t.Helper()
	static, _ := fs.Sub(web.Static, "static")
	m := session.NewManager(opt)
	srv := httptest.NewServer(NewServer(Deps{Sessions: m, Static: static}))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = m.Shutdown(ctx)
		srv.Close()
	})
	return srv
}

func TestStartRateLimitAnswers429(t *testing.T) {
	srv := newServerWithOptions(t, session.Options{Datasets: registry, StartLimit: session.RateLimit{Burst: 2, PerMinute: 1}})
	post := func() *http.Response {
		res, err := http.Post(srv.URL+"/api/sessions", "application/json", strings.NewReader(smallJSON))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	for i := 0; i < 2; i++ {
		if res := post(); res.StatusCode != http.StatusCreated {
			t.Fatalf("start %d: %d", i+1, res.StatusCode)
		}
	}
	res := post()
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("third start: %d, Retry-After %q; want 429 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
	}
	// Starting a lab counts too, and is refused with a page.
	lab, err := http.Post(srv.URL+"/labs/pca/start", "application/x-www-form-urlencoded", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	lab.Body.Close()
	if lab.StatusCode != http.StatusTooManyRequests || lab.Header.Get("Retry-After") == "" ||
		!strings.Contains(lab.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("lab start over the limit: %d, Retry-After %q, %s", lab.StatusCode, lab.Header.Get("Retry-After"), lab.Header.Get("Content-Type"))
	}
	// Reading is never limited.
	r2, err := http.Get(srv.URL + "/healthz")
	if err != nil || r2.StatusCode != 200 {
		t.Fatalf("healthz under the limit: %v %v", err, r2)
	}
	r2.Body.Close()
}

// Attempts to join a class (right or wrong code) take tokens of the door's
// limiter: over the burst the API answers 429 and the form a page.
func TestJoinRateLimitAnswers429(t *testing.T) {
	srv := newServerWithOptions(t, session.Options{Datasets: registry, JoinLimit: session.RateLimit{Burst: 2, PerMinute: 1}})
	for i := range 2 {
		res, err := http.Post(srv.URL+"/api/join", "application/json", strings.NewReader(`{"code":"ABC-DEF","name":"Ana"}`))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Fatalf("join %d with a wrong code: %d, want 404", i+1, res.StatusCode)
		}
	}
	res, err := http.Post(srv.URL+"/api/join", "application/json", strings.NewReader(`{"code":"ABC-DEF","name":"Ana"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("third join: %d, Retry-After %q; want 429", res.StatusCode, res.Header.Get("Retry-After"))
	}
	form, err := http.Post(srv.URL+"/join", "application/x-www-form-urlencoded", strings.NewReader("code=ABC-DEF&name=Ana"))
	if err != nil {
		t.Fatal(err)
	}
	form.Body.Close()
	if form.StatusCode != http.StatusTooManyRequests || !strings.Contains(form.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("join form over the limit: %d %s", form.StatusCode, form.Header.Get("Content-Type"))
	}
}
