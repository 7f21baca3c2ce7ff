package handlers

import (
	"bytes"
	"compress/flate"
	"errors"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/aelab/aelab/session"
)

// TestWebSocketDeflateBombRefused: gorilla's read limit counts a message's
// compressed bytes, so a viewer that negotiated permessage-deflate could
// send a few hundred bytes that inflate to hundreds of KB, which the read
// pump inflated whole, message after message. Now a message is inflated
// only up to the limit: a bomb (256 KiB of zeros in under 512 bytes on the
// wire) is refused with close code 1009 and costs the server a few KB,
// not the inflated size; a 10 MB one is refused at the wire limit.
func TestWebSocketDeflateBombRefused(t *testing.T) {
	ts := newTestServer(t)
	c := ts.create(t, longJSON) // paused below: its stream stays open
	auth := map[string]string{"Authorization": "Bearer " + c.OwnerToken}
	s, _ := ts.m.Get(c.ID)
	waitFor(t, func() bool { return s.State() == session.Running })
	if res, b := ts.do(t, "POST", "/api/sessions/"+c.ID+"/pause", "", auth); res.StatusCode != http.StatusNoContent {
		t.Fatalf("pause: %d %s", res.StatusCode, b)
	}
	t.Cleanup(func() { ts.do(t, "POST", "/api/sessions/"+c.ID+"/stop", "", auth) })
	url := "ws" + strings.TrimPrefix(ts.URL, "http") + "/api/sessions/" + c.ID + "/ws"
	dial := func() *websocket.Conn {
		d := websocket.Dialer{EnableCompression: true}
		conn, res, err := d.Dial(url, http.Header{"Origin": {ts.URL}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(res.Header.Get("Sec-Websocket-Extensions"), "permessage-deflate") {
			t.Fatal("compression not negotiated")
		}
		if err := conn.SetCompressionLevel(flate.BestCompression); err != nil {
			t.Fatal(err)
		}
		return conn
	}
	// The bomb is small on the wire (under gorilla's limit, which counts
	// compressed bytes).
	var wire bytes.Buffer
	fw, _ := flate.NewWriter(&wire, flate.BestCompression)
	bomb := make([]byte, 256<<10)
	_, _ = fw.Write(bomb)
	_ = fw.Flush()
	if wire.Len() >= maxClientFrame {
		t.Fatalf("the bomb is %d bytes deflated; it must pass the wire limit of %d", wire.Len(), maxClientFrame)
	}

	closedWith := func(conn *websocket.Conn) int {
		_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				var ce *websocket.CloseError
				if errors.As(err, &ce) {
					return ce.Code
				}
				return -1
			}
		}
	}

	// The client compresses the bomb once (a prepared message, warmed up on
	// a first socket), so what the second socket's flood allocates in this
	// process is the server's doing.
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, bomb)
	if err != nil {
		t.Fatal(err)
	}
	warm := dial()
	_ = warm.WritePreparedMessage(pm)
	closedWith(warm)
	warm.Close()

	conn := dial()
	defer conn.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range 8 { // a flood of bombs; the first already ends the socket
		if conn.WritePreparedMessage(pm) != nil {
			break
		}
	}
	code := closedWith(conn)
	runtime.ReadMemStats(&after)
	t.Logf("alloc %d KiB", (after.TotalAlloc-before.TotalAlloc)>>10)
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Errorf("the bombs cost %d KiB of allocation; want well under the %d KiB they inflate to", got>>10, 8*len(bomb)>>10)
	}
	if code != websocket.CloseMessageTooBig {
		t.Fatalf("after a deflate bomb the socket closed with %d; want %d (message too big)", code, websocket.CloseMessageTooBig)
	}

	// 10 MB inflated needs more than the limit on the wire: refused too.
	big := dial()
	defer big.Close()
	_ = big.WriteMessage(websocket.TextMessage, make([]byte, 10<<20))
	if code := closedWith(big); code != websocket.CloseMessageTooBig {
		t.Fatalf("after 10 MB of zeros the socket closed with %d; want %d", code, websocket.CloseMessageTooBig)
	}
}
