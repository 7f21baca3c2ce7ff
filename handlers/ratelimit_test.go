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

func TestLimiterBurstAndRefill(t *testing.T) {
	now := time.Unix(0, 0)
	l := newLimiter(RateLimit{Burst: 60, PerMinute: 60})
	l.now = func() time.Time { return now }
	for i := 0; i < 60; i++ {
		if ok, _ := l.allow("10.0.0.1"); !ok {
			t.Fatalf("start %d of a class-sized burst was refused", i+1)
		}
	}
	ok, wait := l.allow("10.0.0.1")
	if ok || wait <= 0 || wait > time.Second {
		t.Fatalf("61st start: ok=%v wait=%v, want refused for about 1 s", ok, wait)
	}
	if ok, _ := l.allow("10.0.0.2"); !ok {
		t.Fatal("another address is limited by the first one's starts")
	}
	now = now.Add(30 * time.Second)
	for i := 0; i < 30; i++ {
		if ok, _ := l.allow("10.0.0.1"); !ok {
			t.Fatalf("after 30 s, start %d was refused (30 tokens refilled)", i+1)
		}
	}
	if ok, _ := l.allow("10.0.0.1"); ok {
		t.Fatal("more than the refilled tokens were granted")
	}
}

func TestStartRateLimitAnswers429(t *testing.T) {
	static, _ := fs.Sub(web.Static, "static")
	m := session.NewManager(session.Options{Datasets: registry})
	srv := httptest.NewServer(NewServer(Deps{Sessions: m, Static: static, StartLimit: RateLimit{Burst: 2, PerMinute: 1}}))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = m.Shutdown(ctx)
		srv.Close()
	})
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
