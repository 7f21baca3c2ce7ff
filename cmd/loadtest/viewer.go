package main

import (
	"bytes"
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

// progressMsg is the part of a progress message the load test reads.
type progressMsg struct {
	Step          int     `json:"step"`
	TotalSteps    int     `json:"total_steps"`
	SamplesPerSec float64 `json:"samples_per_sec"`
	Elapsed       float64 `json:"elapsed_seconds"`
}

// viewer is one WebSocket client of a session's live stream
// (docs/protocol.md). It reconnects when the server drops it as too slow
// (close code 1013), at most maxReconnects times, and records what it saw.
// Its fields are written by run only; read them after run has returned.
type viewer struct {
	url           string
	maxReconnects int
	readTimeout   time.Duration

	ready     chan struct{} // closed at the first snapshot
	live      chan struct{} // closed when it has seen the session running and a progress message, or has ended
	readyOnce sync.Once
	liveOnce  sync.Once

	counts        map[string]int // messages by type, over every connection
	bytes         int64
	state         string      // latest state (from a snapshot or a state message)
	runningAt     time.Time   // when it first saw the state running
	endAt         time.Time   // when it saw a terminal state
	progressAt    []time.Time // arrival of each progress message while running
	progressStep  []int       // and its step
	lastProgress  progressMsg
	finalStateMsg string // the state of the last state message (not snapshot)
	closeCode     int    // code of the last close frame received; 0 if none
	closeText     string
	reconnects    int
	err           error // why the stream ended without a close frame
}

func newViewer(base, id string) *viewer {
	return &viewer{url: "ws" + strings.TrimPrefix(base, "http") + "/api/sessions/" + id + "/ws",
		maxReconnects: 10, readTimeout: 90 * time.Second,
		ready: make(chan struct{}), live: make(chan struct{}), counts: make(map[string]int)}
}

var dialer = websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 32 << 10}

// run reads the stream until the server closes it (and does not ask for a
// reconnect), an error occurs or ctx ends.
func (v *viewer) run(ctx context.Context) {
	defer v.liveOnce.Do(func() { close(v.live) })
	defer v.readyOnce.Do(func() { close(v.ready) })
	for attempt := 0; ; attempt++ {
		code, err := v.connect(ctx)
		if err != nil {
			v.err = err
			return
		}
		if code != websocket.CloseTryAgainLater || attempt >= v.maxReconnects || ctx.Err() != nil {
			return
		}
		v.reconnects++
	}
}

// connect reads one connection to its end and returns the close code.
func (v *viewer) connect(ctx context.Context) (int, error) {
	conn, resp, err := dialer.DialContext(ctx, v.url, nil)
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
		_ = conn.SetReadDeadline(time.Now().Add(v.readTimeout))
		_, msg, err := conn.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				// gorilla has already answered with a close frame.
				v.closeCode, v.closeText = ce.Code, ce.Text
				return ce.Code, nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return 0, fmt.Errorf("no message for %v", v.readTimeout)
			}
			return 0, fmt.Errorf("stream ended without a close frame: %w", err)
		}
		if err := v.handle(msg, time.Now()); err != nil {
			return 0, err
		}
	}
}

// msgType returns the type of a protocol message cheaply: the server writes
// "type" first, so the whole (possibly large) message need not be parsed.
func msgType(b []byte) string {
	const p = `{"type":"`
	if rest, ok := bytes.CutPrefix(b, []byte(p)); ok {
		if i := bytes.IndexByte(rest, '"'); i >= 0 && i < 32 {
			return string(rest[:i])
		}
	}
	var t struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(b, &t)
	return t.Type
}

func terminal(state string) bool {
	return state == "completed" || state == "stopped" || state == "failed"
}

func (v *viewer) setState(st string, at time.Time) {
	v.state = st
	if st == "running" && v.runningAt.IsZero() {
		v.runningAt = at
	}
	if terminal(st) && v.endAt.IsZero() {
		v.endAt = at
	}
}

// handle records one message received at time at.
func (v *viewer) handle(msg []byte, at time.Time) error {
	typ := msgType(msg)
	v.counts[typ]++
	v.bytes += int64(len(msg))
	switch typ {
	case "snapshot":
		var s struct {
			Progress *progressMsg `json:"progress"`
			State    struct {
				State string `json:"state"`
			} `json:"state"`
		}
		if err := json.Unmarshal(msg, &s); err != nil {
			return fmt.Errorf("bad snapshot: %w", err)
		}
		if s.Progress != nil {
			v.lastProgress = *s.Progress
		}
		v.setState(s.State.State, at)
		v.readyOnce.Do(func() { close(v.ready) })
	case "state":
		var s struct {
			State string `json:"state"`
		}
		if err := json.Unmarshal(msg, &s); err != nil {
			return fmt.Errorf("bad state message: %w", err)
		}
		v.setState(s.State, at)
		v.finalStateMsg = s.State
	case "progress":
		var p progressMsg
		if err := json.Unmarshal(msg, &p); err != nil {
			return fmt.Errorf("bad progress message: %w", err)
		}
		v.lastProgress = p
		if v.state == "running" {
			v.progressAt = append(v.progressAt, at)
			v.progressStep = append(v.progressStep, p.Step)
			v.liveOnce.Do(func() { close(v.live) })
		}
	case "loss", "latent", "reconstructions":
	default:
		return fmt.Errorf("unknown message type %q", typ)
	}
	return nil
}

// messages is the number of messages received over every connection.
func (v *viewer) messages() int {
	n := 0
	for _, c := range v.counts {
		n += c
	}
	return n
}

// gap is a wait between two updates a viewer saw while its session ran:
// from the progress message at step from (-1: the start of running) to the
// one at step to (-1: the end).
type gap struct {
	d        time.Duration
	from, to int
}

// gaps lists the waits between consecutive progress messages while the
// session ran, including from its start to the first and from the last to
// its end.
func (v *viewer) gaps() []gap {
	if v.runningAt.IsZero() || v.endAt.IsZero() {
		return nil
	}
	var out []gap
	prev, prevStep := v.runningAt, -1
	for i, t := range v.progressAt {
		out = append(out, gap{t.Sub(prev), prevStep, v.progressStep[i]})
		prev, prevStep = t, v.progressStep[i]
	}
	return append(out, gap{v.endAt.Sub(prev), prevStep, -1})
}

// updateRate is the number of progress messages per second of the time the
// viewer saw the session running, and the longest wait between two of them
// (or between the start or end of that time and the nearest one).
func (v *viewer) updateRate() (rate float64, longest gap, ok bool) {
	if v.runningAt.IsZero() || v.endAt.IsZero() || !v.endAt.After(v.runningAt) {
		return 0, gap{}, false
	}
	for _, g := range v.gaps() {
		if g.d > longest.d {
			longest = g
		}
	}
	return rateOf(len(v.progressAt), v.endAt.Sub(v.runningAt)), longest, true
}

// runViewers starts one viewer per id (ids may repeat) and returns them and
// a channel closed when all have returned.
func runViewers(ctx context.Context, base string, ids []string) ([]*viewer, <-chan struct{}) {
	vs := make([]*viewer, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		vs[i] = newViewer(base, id)
		wg.Add(1)
		go func(v *viewer) {
			defer wg.Done()
			v.run(ctx)
		}(vs[i])
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	return vs, done
}

// waitAll waits until every channel picked from the viewers is closed, or
// ctx ends.
func waitAll(ctx context.Context, vs []*viewer, pick func(*viewer) <-chan struct{}) error {
	for i, v := range vs {
		select {
		case <-pick(v):
		case <-ctx.Done():
			return fmt.Errorf("viewer %d of %d: %w", i+1, len(vs), ctx.Err())
		}
	}
	return nil
}
