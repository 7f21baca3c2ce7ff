package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/aelab/aelab/session"
)

// viewer watches one run's stream through the proxy as the page does: a
// snapshot, then updates; when the socket closes before the run ends (its
// replica died), it connects again through the proxy.
type viewer struct {
	mu         sync.Mutex
	states     []string
	lastError  string // the error of the latest state
	times      []time.Time
	snapshots  int
	messages   int
	bytes      int64
	steps      []int // the training curve's steps, as the page draws it
	reconnects int   // sockets opened after the first
	dialFails  int   // refused attempts (a dead upstream: 502)
	gaps       []time.Duration
	done       chan struct{}
}

func watch(base, origin, id string) *viewer {
	v := &viewer{done: make(chan struct{})}
	url := "ws" + strings.TrimPrefix(base, "http") + "/api/sessions/" + id + "/ws"
	h := http.Header{"Origin": {origin}}
	go func() {
		defer close(v.done)
		deadline := time.Now().Add(10 * time.Minute)
		var lost time.Time
		for first := true; time.Now().Before(deadline); first = false {
			conn, _, err := websocket.DefaultDialer.Dial(url, h)
			if err != nil {
				v.mu.Lock()
				v.dialFails++
				v.mu.Unlock()
				time.Sleep(250 * time.Millisecond)
				continue
			}
			if !first {
				v.mu.Lock()
				v.reconnects++
				v.gaps = append(v.gaps, time.Since(lost))
				v.mu.Unlock()
			}
			ended := v.read(conn)
			conn.Close()
			if ended {
				return
			}
			lost = time.Now()
			time.Sleep(250 * time.Millisecond)
		}
	}()
	return v
}

// read applies the socket's messages until it closes; it reports whether
// the run had ended by then.
func (v *viewer) read(conn *websocket.Conn) bool {
	for {
		_ = conn.SetReadDeadline(time.Now().Add(60 * time.Second))
		_, b, err := conn.ReadMessage()
		if err != nil {
			return v.ended()
		}
		var m struct {
			Type      string          `json:"type"`
			State     json.RawMessage `json:"state"`
			Error     string          `json:"error"`
			TrainLoss []struct {
				Step int `json:"step"`
			} `json:"train_loss"`
			Train []struct {
				Step int `json:"step"`
			} `json:"train"`
		}
		if json.Unmarshal(b, &m) != nil {
			continue
		}
		v.mu.Lock()
		v.messages++
		v.bytes += int64(len(b))
		switch m.Type {
		case "snapshot":
			var st struct {
				State string `json:"state"`
				Error string `json:"error"`
			}
			_ = json.Unmarshal(m.State, &st)
			v.lastError = st.Error
			v.snapshots++
			v.note(st.State)
			v.steps = v.steps[:0]
			for _, p := range m.TrainLoss {
				v.steps = append(v.steps, p.Step)
			}
		case "state":
			var st string
			_ = json.Unmarshal(m.State, &st)
			v.lastError = m.Error
			v.note(st)
		case "loss":
			for _, p := range m.Train {
				v.steps = append(v.steps, p.Step)
			}
		}
		v.mu.Unlock()
	}
}

func (v *viewer) note(state string) {
	if n := len(v.states); n == 0 || v.states[n-1] != state {
		v.states = append(v.states, state)
		v.times = append(v.times, time.Now())
	}
}

func (v *viewer) ended() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if n := len(v.states); n > 0 {
		switch v.states[n-1] {
		case "completed", "failed":
			return true
		case "stopped":
			// As the page does (web/static/js/ws.js, resumesLater): a run
			// stopped by its server's shutdown resumes elsewhere.
			return v.lastError != session.ShutdownReason
		}
	}
	return false
}

// firstAfter is when the viewer first saw state after t (zero if never).
func (v *viewer) firstAfter(state string, t time.Time) time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	for i, s := range v.states {
		if s == state && v.times[i].After(t) {
			return v.times[i]
		}
	}
	return time.Time{}
}

// monotone reports whether the curve's steps only go up.
func (v *viewer) monotone() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	for i := 1; i < len(v.steps); i++ {
		if v.steps[i] <= v.steps[i-1] {
			return false
		}
	}
	return true
}
