package handlers

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/gorilla/websocket"

	"github.com/aelab/aelab/session"
)

// WebSocket timing and limits, after gorilla/websocket's chat example.
const (
	writeWait      = 10 * time.Second  // time allowed to write one message
	pongWait       = 60 * time.Second  // time allowed between pongs from the viewer
	pingPeriod     = pongWait * 9 / 10 // pings go out this often
	maxClientFrame = 512               // viewers send nothing but control frames
	closeGrace     = 2 * time.Second   // time a viewer gets to answer our close frame
	closeTryLater  = websocket.CloseTryAgainLater
)

var upgrader = websocket.Upgrader{
	ReadBufferSize:  1024,
	WriteBufferSize: 16 << 10,
	CheckOrigin:     sameOrigin,
	// permessage-deflate for the large messages (ws_compress.go).
	EnableCompression: true,
}

// shutdownGrace is how long open sockets get, once a shutdown begins, to
// send their last messages and close frames; then their connections are
// cut, so that a viewer that never reads cannot hold the shutdown up.
const shutdownGrace = time.Second

// Sockets keeps the open WebSockets so that a shutdown can tell them the
// server is going away, wait until each has sent its close frame, and cut
// those that cannot.
type Sockets struct {
	stopping chan struct{}
	wg       sync.WaitGroup

	mu     sync.Mutex
	closed bool
	conns  map[*websocket.Conn]struct{}
}

// NewSockets returns an empty tracker.
func NewSockets() *Sockets {
	return &Sockets{stopping: make(chan struct{}), conns: make(map[*websocket.Conn]struct{})}
}

// add registers an open socket; false once Close has begun (the caller
// then closes it). The mutex orders every add before Close's wait.
func (s *Sockets) add(c *websocket.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	s.conns[c] = struct{}{}
	return true
}

// remove unregisters a socket that add accepted, once it is closed.
func (s *Sockets) remove(c *websocket.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.wg.Done()
}

// Open is the number of WebSockets open now (viewers of sessions and of
// class dashboards).
func (s *Sockets) Open() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Close tells every open socket that the server is going away and waits
// for them to finish. Sockets still open after shutdownGrace (a viewer
// that does not read blocks our writes) have their connections cut. It
// returns ctx's error only if even that does not end them in time.
func (s *Sockets) Close(ctx context.Context) error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.stopping)
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	grace := time.NewTimer(shutdownGrace)
	defer grace.Stop()
	select {
	case <-done:
		return nil
	case <-grace.C:
	case <-ctx.Done():
	}
	s.mu.Lock()
	for c := range s.conns {
		_ = c.NetConn().Close() // unblocks the pumps' reads and writes
	}
	s.mu.Unlock()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// handleSessionWS streams a session to one viewer: a snapshot, then every
// live message, each in its own text frame, then a close frame.
func handleSessionWS(m *session.Manager, log *slog.Logger, socks *Sockets) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := m.Get(chi.URLParam(r, "id"))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		serveStream(w, r, log, socks, "session ended", func() (<-chan []byte, func() bool, func()) {
			sub := s.Subscribe()
			return sub.C, sub.Dropped, sub.Close
		})
	})
}

// serveStream upgrades r to a WebSocket and writes the messages of the
// stream that subscribe opens until it ends; endText is the reason of the
// final close frame.
func serveStream(w http.ResponseWriter, r *http.Request, log *slog.Logger, socks *Sockets, endText string,
	subscribe func() (msgs <-chan []byte, dropped func() bool, unsubscribe func())) {
	if !sameOrigin(r) {
		writeError(w, r, log, session.Errorf(session.EForbidden, "a page of another site may not open this stream"))
		return
	}
	select {
	case <-socks.stopping:
		writeError(w, r, log, session.Errorf(session.EUnavailable, "the server is shutting down"))
		return
	default:
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered with an HTTP error
	}
	if !socks.add(conn) {
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down"), time.Now().Add(time.Second))
		_ = conn.Close()
		return
	}
	defer socks.remove(conn)
	msgs, dropped, unsubscribe := subscribe()
	defer unsubscribe()
	readerGone := make(chan struct{})
	go readPump(conn, readerGone)
	writePump(conn, msgs, dropped, endText, readerGone, socks.stopping)
}

// readPump reads (and discards) what the viewer sends, so that pongs and
// close frames are processed; it closes gone when the connection fails.
// gorilla's read limit counts a message's bytes on the wire, compressed
// when the viewer negotiated permessage-deflate: 512 deflated bytes can
// inflate to half a megabyte, which ReadMessage would allocate. So each
// message is inflated only as far as maxClientFrame bytes, into a fixed
// buffer, and one that goes beyond is refused (1009, message too big).
func readPump(conn *websocket.Conn, gone chan<- struct{}) {
	defer close(gone)
	conn.SetReadLimit(maxClientFrame)
	_ = conn.SetReadDeadline(time.Now().Add(pongWait))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(pongWait)) })
	var buf [maxClientFrame + 1]byte
	for {
		_, r, err := conn.NextReader()
		if err != nil {
			return
		}
		n, err := io.ReadFull(r, buf[:])
		if n > maxClientFrame {
			_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseMessageTooBig,
				fmt.Sprintf("a viewer sends at most %d bytes a message", maxClientFrame)), time.Now().Add(writeWait))
			return
		}
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			return
		}
	}
}

// writePump is the only writer of conn: it sends msgs until they end (then
// a close frame saying endText, or "too slow" when dropped reports true).
func writePump(conn *websocket.Conn, msgs <-chan []byte, dropped func() bool, endText string, readerGone <-chan struct{}, stopping <-chan struct{}) {
	ticker := time.NewTicker(pingPeriod)
	defer func() {
		ticker.Stop()
		_ = conn.Close()
	}()
	closeWith := func(code int, text string) {
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(writeWait))
		// Give the viewer a moment to answer, so the close is clean on both sides.
		select {
		case <-readerGone:
		case <-time.After(closeGrace):
		}
	}
	for {
		select {
		case msg, ok := <-msgs:
			if !ok {
				switch {
				case dropped():
					closeWith(closeTryLater, "viewer too slow; reconnect for a fresh snapshot")
				default:
					closeWith(websocket.CloseNormalClosure, endText)
				}
				return
			}
			_ = conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := writeText(conn, msg); err != nil {
				return
			}
		case <-ticker.C:
			if err := conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				return
			}
		case <-stopping:
			// Drain what the session has already queued (its final state,
			// when shutdown stopped it) before saying goodbye.
			drain(conn, msgs)
			closeWith(websocket.CloseGoingAway, "server shutting down")
			return
		case <-readerGone:
			return
		}
	}
}

// drain writes the messages already waiting for the viewer, without waiting
// for new ones longer than a moment.
func drain(conn *websocket.Conn, msgs <-chan []byte) {
	deadline := time.After(500 * time.Millisecond)
	for {
		select {
		case msg, ok := <-msgs:
			if !ok {
				return
			}
			_ = conn.SetWriteDeadline(time.Now().Add(writeWait))
			if writeText(conn, msg) != nil {
				return
			}
		case <-deadline:
			return
		}
	}
}
