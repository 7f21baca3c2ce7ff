package connlimit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"strconv"
	"strings"
	"time"
)

// A connection over a limit is answered in HTTP before it is closed, so
// that the client learns why rather than seeing a reset: 429 Too Many
// Requests over the per-address cap, 503 Service Unavailable over the
// total, each with Retry-After and a message that says what to do (JSON
// in the API's error shape for /api/ requests, plain text otherwise). A
// WebSocket's upgrade request is an HTTP request too: it gets the answer
// before any upgrade. The answer waits a short while for the request's
// head, to choose its form; at most maxAnswering connections are answered
// at once, and beyond them a connection is closed at once as before.

const (
	// maxAnswering bounds the refused connections being answered at once
	// (each holds a descriptor for at most answerWait).
	maxAnswering = 64
	// headWait is how long the answer waits for the request's head.
	headWait = 500 * time.Millisecond
	// answerWait bounds the whole answer: the head, the write and the
	// drain of what the client sent before it reads the answer.
	answerWait = 2 * time.Second
	// retryAfter is the Retry-After of the answers, in seconds: idle
	// connections close after 30 s, and a browser's come back sooner.
	retryAfter = 10
)

// refuseLocked answers c, over a limit (perAddr: the per-address cap, else
// the total), in a goroutine of its own, or closes it at once if
// maxAnswering are being answered. l.mu is held.
func (l *Listener) refuseLocked(c net.Conn, perAddr bool) {
	l.refused++
	if l.answering >= maxAnswering {
		_ = c.Close()
		return
	}
	l.answering++
	go func() {
		defer func() {
			l.mu.Lock()
			l.answering--
			l.mu.Unlock()
		}()
		l.answer(c, perAddr)
	}()
}

// answer writes the refusal to c and closes it.
func (l *Listener) answer(c net.Conn, perAddr bool) {
	defer c.Close()
	start := time.Now()
	_ = c.SetDeadline(start.Add(answerWait))
	api := false
	_ = c.SetReadDeadline(start.Add(headWait))
	br := bufio.NewReaderSize(c, 4<<10)
	if line, err := br.ReadSlice('\n'); err == nil {
		// "GET /api/sessions/x/ws HTTP/1.1": choose the answer's form.
		f := strings.Fields(string(line))
		if len(f) != 3 || !strings.HasPrefix(f[2], "HTTP/1.") {
			return // not HTTP: nothing to answer
		}
		api = strings.HasPrefix(f[1], "/api/")
	}
	_ = c.SetDeadline(start.Add(answerWait))
	_, _ = c.Write(l.response(perAddr, api))
	// The answer out, the client's request is read away before the close,
	// so that the close is not a reset that could lose the answer.
	if tc, ok := c.(interface{ CloseWrite() error }); ok {
		_ = tc.CloseWrite()
	}
	var buf [4 << 10]byte
	for {
		if _, err := br.Read(buf[:]); err != nil {
			return
		}
	}
}

// response is the HTTP answer to a connection over a limit.
func (l *Listener) response(perAddr, api bool) []byte {
	status, code, msg := "503 Service Unavailable", "unavailable",
		"the server holds as many connections as it may ("+strconv.Itoa(l.total)+" in all); try again in a few seconds"
	if perAddr {
		status, code, msg = "429 Too Many Requests", "rate_limited",
			"your address already holds "+strconv.Itoa(l.perAddr)+" open connections to this server, the most one address may hold; close some (other tabs, idle clients) or try again in a few seconds"
	}
	var body []byte
	ctype := "text/plain; charset=utf-8"
	if api {
		ctype = "application/json; charset=utf-8"
		body, _ = json.MarshalIndent(struct {
			Error string `json:"error"`
			Code  string `json:"code"`
		}{msg, code}, "", "  ")
		body = append(body, '\n')
	} else {
		body = []byte(msg + "\n")
	}
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 " + status + "\r\n")
	b.WriteString("Content-Type: " + ctype + "\r\n")
	b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	b.WriteString("Retry-After: " + strconv.Itoa(retryAfter) + "\r\n")
	b.WriteString("Cache-Control: no-store\r\nConnection: close\r\n\r\n")
	b.Write(body)
	return b.Bytes()
}
