package handlers

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestWebSocketCompressionNegotiated: a viewer that offers permessage-deflate
// gets it, and the stream (large frames compressed once for every viewer,
// small ones plain) decodes to the same messages as for a viewer without it.
func TestWebSocketCompressionNegotiated(t *testing.T) {
	ts := newTestServer(t)
	c := ts.create(t, smallJSON)
	read := func(compress bool) (string, []string) {
		d := websocket.Dialer{EnableCompression: compress}
		conn, res, err := d.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+"/api/sessions/"+c.ID+"/ws", http.Header{"Origin": {ts.URL}})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var types []string
		_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		for {
			_, b, err := conn.ReadMessage()
			if err != nil {
				break
			}
			var m struct {
				Type string `json:"type"`
			}
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("message does not decode: %v", err)
			}
			types = append(types, m.Type)
			if m.Type == "state" && strings.Contains(string(b), `"completed"`) {
				break
			}
		}
		return res.Header.Get("Sec-Websocket-Extensions"), types
	}
	ext, types := read(true)
	if !strings.Contains(ext, "permessage-deflate") {
		t.Fatalf("compression not negotiated: %q", ext)
	}
	if len(types) == 0 || types[0] != "snapshot" {
		t.Fatalf("compressed stream: %v", types)
	}
	ext, types = read(false)
	if ext != "" || len(types) == 0 || types[0] != "snapshot" {
		t.Fatalf("plain stream: extensions %q, %v", ext, types)
	}
	// The same large message is prepared once for every viewer.
	msg := []byte(strings.Repeat("x", 2*compressMin))
	a, _ := prepared.get(msg)
	b, _ := prepared.get(msg)
	if a != b {
		t.Error("a message was prepared twice")
	}
}
