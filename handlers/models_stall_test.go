package handlers

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A model upload that stalls gives its memory back within the grace, not
// after the two minutes a whole upload may take: a chunked body that never
// ends reserves the largest model file (about 21 MB) of the budget while it
// arrives, so a few addresses trickling such bodies held the memory every
// training needs (found from outside).
func TestStalledModelUploadIsCut(t *testing.T) {
	defer func(g time.Duration) { uploadGrace = g }(uploadGrace)
	uploadGrace = 300 * time.Millisecond
	ts := newTestServer(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "POST /api/models HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n\x00\x00\x00\x00\x00\x00\x00\x00\r\n")
	waitFor(t, func() bool { return ts.m.Stats().MemoryUsed > 0 })
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a stalled upload after %v: %v", time.Since(start), err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest || time.Since(start) > 5*time.Second {
		t.Errorf("stalled upload → %d after %v, want 400 within the grace", res.StatusCode, time.Since(start))
	}
	waitFor(t, func() bool { return ts.m.Stats().MemoryUsed == 0 })
}
