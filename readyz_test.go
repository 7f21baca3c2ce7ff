package main

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// TestReadyzProbesTheStore: the real program's /readyz probes its store
// and says so.
func TestReadyzProbesTheStore(t *testing.T) {
	base, stop := startServer(t, "-data", t.TempDir())
	res, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var a struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	if err := json.Unmarshal(b, &a); err != nil || res.StatusCode != 200 || a.Status != "ready" || a.Checks["store"] != "ok" {
		t.Fatalf("/readyz = %d %s, want 200 ready with the store ok", res.StatusCode, b)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}
