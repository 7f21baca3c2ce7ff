package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// dashboard is a teacher's dashboard: one WebSocket client of a class's
// stream (docs/protocol.md, "Class stream"). It records the arrival, size
// and type of every message, and for each run the tiles it got while the
// run was running. It reconnects when dropped as too slow (close code 1013)
// and counts it. Its fields are written by run only; read them after run
// has returned.
type dashboard struct {
	url         string
	readTimeout time.Duration

	ready     chan struct{} // closed at the first snapshot
	readyOnce sync.Once

	mu      sync.Mutex // guards ended, for allEnded while run goes on
	ended   map[string]bool
	endedCh chan struct{} // signalled when a run ends

	messages   int
	bytes      int64
	largest    int    // bytes of the largest message
	largestTyp string // and its type
	counts     map[string]int
	at         []time.Time          // arrival of every message after the snapshot
	runs       map[string]*tileSeen // by run id
	reconnects int
	closeCode  int
	err        error
}

// tileSeen is what the dashboard saw of one run.
type tileSeen struct {
	state     string
	runningAt time.Time   // first tile with state running
	endAt     time.Time   // first tile with a terminal state
	tiles     []time.Time // arrival of each tile while running
}

func newDashboard(base, classID string) *dashboard {
	return &dashboard{url: "ws" + strings.TrimPrefix(base, "http") + "/api/classes/" + classID + "/ws",
		readTimeout: 60 * time.Second, ready: make(chan struct{}), ended: map[string]bool{},
		endedCh: make(chan struct{}, 1), counts: map[string]int{}, runs: map[string]*tileSeen{}}
}

// run reads the stream until ctx ends (a class stream has no end of its
// own), the server closes it without asking for a reconnect, or an error.
func (d *dashboard) run(ctx context.Context) {
	defer d.readyOnce.Do(func() { close(d.ready) })
	for attempt := 0; ; attempt++ {
		code, err := d.connect(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			d.err = err
			return
		}
		if code != websocket.CloseTryAgainLater || attempt >= 10 {
			d.err = fmt.Errorf("the server closed the class stream (code %d)", code)
			return
		}
		d.reconnects++
	}
}

func (d *dashboard) connect(ctx context.Context) (int, error) {
	conn, resp, err := dialer.DialContext(ctx, d.url, nil)
	if err != nil {
		if resp != nil {
			err = fmt.Errorf("%w (HTTP %s)", err, resp.Status)
		}
		return 0, fmt.Errorf("dial: %w", err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	for {
		_ = conn.SetReadDeadline(time.Now().Add(d.readTimeout))
		_, msg, err := conn.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				d.closeCode = ce.Code
				return ce.Code, nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return 0, fmt.Errorf("no message for %v", d.readTimeout)
			}
			return 0, fmt.Errorf("class stream ended without a close frame: %w", err)
		}
		if err := d.handle(msg, time.Now()); err != nil {
			return 0, err
		}
	}
}

// handle records one message received at time at.
func (d *dashboard) handle(msg []byte, at time.Time) error {
	typ := msgType(msg)
	d.messages++
	d.counts[typ]++
	d.bytes += int64(len(msg))
	if len(msg) > d.largest {
		d.largest, d.largestTyp = len(msg), typ
	}
	switch typ {
	case "snapshot":
		d.readyOnce.Do(func() { close(d.ready) })
		return nil
	case "student", "class":
	case "run":
		var m struct {
			Run struct {
				ID    string `json:"id"`
				State string `json:"state"`
			} `json:"run"`
		}
		if err := json.Unmarshal(msg, &m); err != nil || m.Run.ID == "" {
			return fmt.Errorf("bad run message: %v", err)
		}
		t := d.runs[m.Run.ID]
		if t == nil {
			t = &tileSeen{}
			d.runs[m.Run.ID] = t
		}
		t.state = m.Run.State
		switch {
		case m.Run.State == "running":
			if t.runningAt.IsZero() {
				t.runningAt = at
			}
			t.tiles = append(t.tiles, at)
		case terminal(m.Run.State) && t.endAt.IsZero():
			t.endAt = at
			d.mu.Lock()
			d.ended[m.Run.ID] = true
			d.mu.Unlock()
			select {
			case d.endedCh <- struct{}{}:
			default:
			}
		}
	default:
		return fmt.Errorf("unknown message type %q", typ)
	}
	d.at = append(d.at, at)
	return nil
}

// waitEnded waits until the dashboard has seen every run of ids end, or ctx
// ends.
func (d *dashboard) waitEnded(ctx context.Context, ids []string) error {
	for {
		d.mu.Lock()
		n := 0
		for _, id := range ids {
			if d.ended[id] {
				n++
			}
		}
		d.mu.Unlock()
		if n == len(ids) {
			return nil
		}
		select {
		case <-d.endedCh:
		case <-ctx.Done():
			return fmt.Errorf("the dashboard saw %d of %d runs end: %w", n, len(ids), ctx.Err())
		}
	}
}

// frameRate is the number of messages per second from the first run's
// start to the last run's end as the dashboard saw them, and the longest
// wait between two messages in that time.
func (d *dashboard) frameRate() (rate float64, longest time.Duration, ok bool) {
	var from, to time.Time
	for _, t := range d.runs {
		if t.runningAt.IsZero() || t.endAt.IsZero() {
			return 0, 0, false
		}
		if from.IsZero() || t.runningAt.Before(from) {
			from = t.runningAt
		}
		if t.endAt.After(to) {
			to = t.endAt
		}
	}
	if from.IsZero() || !to.After(from) {
		return 0, 0, false
	}
	n, prev := 0, from
	for _, at := range d.at {
		if at.Before(from) || at.After(to) {
			continue
		}
		n++
		longest = max(longest, at.Sub(prev))
		prev = at
	}
	return rateOf(n, to.Sub(from)), max(longest, to.Sub(prev)), true
}

// tileRate is the number of tiles of run id per second of the time the
// dashboard saw it running.
func (d *dashboard) tileRate(id string) (float64, bool) {
	t := d.runs[id]
	if t == nil || t.runningAt.IsZero() || t.endAt.IsZero() || !t.endAt.After(t.runningAt) {
		return 0, false
	}
	return rateOf(len(t.tiles), t.endAt.Sub(t.runningAt)), true
}
