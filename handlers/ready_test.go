package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestReadyz: /readyz answers 200 while every dependency answers, 503
// naming the failing one (without its error text) when one fails, probes
// at most once a second however many ask, and answers 503 once the server
// is shutting down, while /healthz still answers 200.
func TestReadyz(t *testing.T) {
	var storeErr atomic.Value
	storeErr.Store(errors.New(""))
	var probes atomic.Int32
	checks := []ReadyCheck{
		{Name: "store", Check: func(ctx context.Context) error {
			probes.Add(1)
			if e := storeErr.Load().(error); e.Error() != "" {
				return e
			}
			return nil
		}},
		{Name: "bus", Check: func(ctx context.Context) error { return nil }},
	}
	ts := newTestServerWith(t, func(d *Deps) { d.Ready = checks })
	type answer struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	get := func() (int, answer, string) {
		t.Helper()
		res, b := ts.do(t, "GET", "/readyz", "", nil)
		var a answer
		if err := json.Unmarshal(b, &a); err != nil {
			t.Fatalf("readyz is not JSON: %s", b)
		}
		return res.StatusCode, a, string(b)
	}
	code, a, _ := get()
	if code != 200 || a.Status != "ready" || a.Checks["store"] != "ok" || a.Checks["bus"] != "ok" {
		t.Fatalf("readyz = %d %+v, want 200 ready with store and bus ok", code, a)
	}
	// Within a second, twenty more requests share that probe.
	for range 20 {
		get()
	}
	if n := probes.Load(); n != 1 {
		t.Fatalf("store probed %d times for 21 requests within a second, want 1", n)
	}
	storeErr.Store(errors.New("dial tcp 10.1.2.3:5432: connection refused"))
	time.Sleep(readyEvery + 50*time.Millisecond)
	code, a, body := get()
	if code != 503 || a.Status != "not_ready" || a.Checks["store"] != "failing" || a.Checks["bus"] != "ok" {
		t.Fatalf("readyz with the store down = %d %+v, want 503 not_ready naming the store", code, a)
	}
	if want := "10.1.2.3"; strings.Contains(body, want) {
		t.Fatalf("readyz tells the public the store's error: %s", body)
	}
	storeErr.Store(errors.New(""))
	time.Sleep(readyEvery + 50*time.Millisecond)
	if code, a, _ := get(); code != 200 {
		t.Fatalf("readyz after the store came back = %d %+v", code, a)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ts.m.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if code, a, _ := get(); code != 503 || a.Status != "shutting_down" {
		t.Fatalf("readyz while shutting down = %d %+v, want 503 shutting_down", code, a)
	}
	if res, _ := ts.do(t, "GET", "/healthz", "", nil); res.StatusCode != 200 {
		t.Fatalf("healthz while shutting down = %d, want 200 (the process lives)", res.StatusCode)
	}
}

// TestReadyzHangingCheck: a dependency that does not answer makes /readyz
// answer 503 within the probe's timeout, not hang the proxy's check.
func TestReadyzHangingCheck(t *testing.T) {
	ts := newTestServerWith(t, func(d *Deps) {
		d.Ready = []ReadyCheck{{Name: "bus", Check: func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }}}
	})
	start := time.Now()
	res, b := ts.do(t, "GET", "/readyz", "", nil)
	if res.StatusCode != 503 || !strings.Contains(string(b), `"bus": "failing"`) {
		t.Fatalf("readyz with a hanging bus = %d %s", res.StatusCode, b)
	}
	if d := time.Since(start); d > readyTimeout+time.Second {
		t.Fatalf("readyz took %s with a hanging check, want about %s", d, readyTimeout)
	}
}
