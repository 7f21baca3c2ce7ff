package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestStartLimitSharedAcrossReplicas: two replicas on one bus give one
// address one start budget (-start-burst 2): two starts on the first, the
// third on the second replica is refused with 429 and a Retry-After; both
// replicas' /readyz probe the bus.
func TestStartLimitSharedAcrossReplicas(t *testing.T) {
	url := startNATS(t)
	dir := t.TempDir()
	// Child processes, as replicas are (and as the cluster test runs them).
	flags := "-addr 127.0.0.1:0 -data " + dir + " -bus " + url + " -start-burst 2 -starts-per-minute 1 -replica "
	a, b := startChild(t, flags+"a").base, startChild(t, flags+"b").base
	start := func(base string) *http.Response {
		t.Helper()
		res, err := http.Post(base+"/api/sessions", "application/json",
			strings.NewReader(`{"dataset":"mnist","encoder":[16],"bottleneck":2,"train_size":256,"test_size":100,"epochs":1}`))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	if res := start(a); res.StatusCode != http.StatusCreated {
		t.Fatalf("first start on replica a: %d", res.StatusCode)
	}
	if res := start(b); res.StatusCode != http.StatusCreated {
		t.Fatalf("second start, on replica b: %d", res.StatusCode)
	}
	res := start(a)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("third start of one address across two replicas with a burst of 2: %d (Retry-After %q), want 429",
			res.StatusCode, res.Header.Get("Retry-After"))
	}
	if res := start(b); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("fourth start, on replica b: %d, want 429 (one budget for both)", res.StatusCode)
	}
	for _, base := range []string{a, b} {
		res, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		var r struct {
			Status string            `json:"status"`
			Checks map[string]string `json:"checks"`
		}
		err = json.NewDecoder(res.Body).Decode(&r)
		res.Body.Close()
		if err != nil || res.StatusCode != 200 || r.Checks["bus"] != "ok" || r.Checks["store"] != "ok" {
			t.Fatalf("%s/readyz = %d %+v, want ready with the store and the bus ok", base, res.StatusCode, r)
		}
	}
}
