package session

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync/atomic"
)

// hub fans the messages of one session out to its viewers (a fanout). One
// goroutine (run) owns the set of viewers and the history of the stream;
// the hub stops when the session ends, and it keeps the history so that
// late joiners catch up.
//
// Publishing never blocks the trainer (publish drops when the inbox is full;
// callers keep what must not be lost and retry), and a viewer whose buffer is
// full is dropped, never waited for.
type hub struct {
	fanout[hubEvent] // done is closed when run returns; hist is immutable after
	info             func() Info
	log              *slog.Logger
	// persist, when set, is given every event after it is applied (the
	// store's recorder; it never blocks).
	persist func(hubEvent)
	// tap, when set, is given the wire form of every message with its
	// number in the stream (the bus, for viewers on other replicas; it
	// never blocks).
	tap     func(seq uint64, msg []byte, ev hubEvent)
	snapReq chan chan seqSnapshot
	seq     atomic.Uint64 // messages applied (written by run only)

	// Owned by run; read-only once done is closed.
	hist history
}

// history is what a snapshot is made of.
type history struct {
	progress *Progress
	train    []LossPoint
	test     []LossPoint
	latent   *Latent
	recon    *Reconstructions
	state    StateMsg
	metrics  map[string][]MetricPoint
	anomaly  *Anomaly
	changes  []Change
}

// hubEvent is one published change; exactly one field is set. A final event
// (a terminal state) ends the stream after it has been delivered.
type hubEvent struct {
	progress *Progress
	loss     *LossBatch
	latent   *Latent
	recon    *Reconstructions
	state    *StateMsg
	metrics  *Metrics
	anomaly  *Anomaly
	changes  []Change // settings changed, each sent as its own message
	// reset replaces the history (a run taken over by another replica)
	// and sends every viewer a new snapshot.
	reset *history
	// keepOpen: a terminal state that does not end the stream (a run
	// handed over to another replica, seen from a replica that mirrors it).
	keepOpen bool
	// quit ends the stream without a message (a mirror this replica stops
	// following).
	quit bool
}

// seqSnapshot is a snapshot with the number of the last message it
// includes.
type seqSnapshot struct {
	seq uint64
	msg []byte
}

func newHub(info func() Info, log *slog.Logger, initial StateMsg) *hub {
	h := newHubState(info, log)
	h.hist.state = initial
	go h.run()
	return h
}

// newHubWith returns a live hub whose history starts as hist (a resumed
// session's, up to its checkpoint).
func newHubWith(info func() Info, log *slog.Logger, hist history) *hub {
	h := newHubState(info, log)
	h.hist = hist
	go h.run()
	return h
}

// newEndedHub returns the hub of a session that ended before this process
// started: its history is hist, frozen, and subscribers get it as their
// snapshot, then the end of the stream.
func newEndedHub(info func() Info, log *slog.Logger, hist history) *hub {
	h := newHubState(info, log)
	h.hist = hist
	close(h.done)
	return h
}

func newHubState(info func() Info, log *slog.Logger) *hub {
	h := &hub{info: info, log: log, snapReq: make(chan chan seqSnapshot)}
	h.init(64)
	return h
}

// subscribe adds a viewer; its first message is a snapshot.
func (h *hub) subscribe() *Subscription {
	s, ok := h.fanout.subscribe(subscriberBuffer)
	if !ok {
		// The stream has ended and its history is frozen: the snapshot is all
		// there is.
		if msg := h.marshal(h.snapshot()); msg != nil {
			s.c <- msg
		}
		close(s.c)
	}
	return s
}

// publishWait hands an event to the hub, waiting for room. It is for the rare
// events that must not be lost (state changes); the hub never blocks, so the
// wait is short.
func (h *hub) publishWait(ev hubEvent) { h.fanout.publishWait(context.Background(), ev) }

func (h *hub) run() {
	defer close(h.done)
	for {
		select {
		case s := <-h.register:
			if msg := h.marshal(h.snapshot()); msg != nil {
				s.c <- msg // a fresh buffer always has room
			}
			h.add(s)
		case s := <-h.unregister:
			h.remove(s)
		case r := <-h.snapReq:
			r <- seqSnapshot{seq: h.seq.Load(), msg: h.marshal(h.snapshot())}
		case ev := <-h.in:
			if ev.quit {
				h.removeAll()
				return
			}
			msg := h.apply(ev)
			if h.persist != nil {
				h.persist(ev)
			}
			if msg != nil {
				n := h.seq.Add(1)
				if h.tap != nil {
					h.tap(n, msg, ev)
				}
				h.broadcast(msg)
			}
			if ev.state != nil && ev.state.State.Terminal() && !ev.keepOpen {
				h.removeAll()
				return
			}
		}
	}
}

// apply records ev in the history and returns its wire form.
func (h *hub) apply(ev hubEvent) []byte {
	switch {
	case ev.progress != nil:
		h.hist.progress = ev.progress
		m := *ev.progress
		m.Type = TypeProgress
		return h.marshal(m)
	case ev.loss != nil:
		h.hist.train = append(h.hist.train, ev.loss.Train...)
		h.hist.test = append(h.hist.test, ev.loss.Test...)
		m := *ev.loss
		m.Type = TypeLoss
		if m.Train == nil {
			m.Train = []LossPoint{}
		}
		if m.Test == nil {
			m.Test = []LossPoint{}
		}
		return h.marshal(m)
	case ev.latent != nil:
		h.hist.latent = ev.latent
		m := *ev.latent
		m.Type = TypeLatent
		return h.marshal(m)
	case ev.recon != nil:
		h.hist.recon = ev.recon
		m := *ev.recon
		m.Type = TypeReconstructions
		return h.marshal(m)
	case ev.metrics != nil:
		if h.hist.metrics == nil {
			h.hist.metrics = make(map[string][]MetricPoint)
		}
		for name, pts := range ev.metrics.Points {
			h.hist.metrics[name] = append(h.hist.metrics[name], pts...)
		}
		m := *ev.metrics
		m.Type = TypeMetrics
		return h.marshal(m)
	case ev.anomaly != nil:
		h.hist.anomaly = ev.anomaly
		m := *ev.anomaly
		m.Type = TypeAnomaly
		return h.marshal(m)
	case len(ev.changes) > 0:
		h.hist.changes = append(h.hist.changes, ev.changes...)
		return h.marshal(ChangeMsg{Type: TypeChange, Changes: ev.changes})
	case ev.reset != nil:
		h.hist = *ev.reset
		return h.marshal(h.snapshot())
	case ev.state != nil:
		h.hist.state = *ev.state
		m := *ev.state
		m.Type = TypeState
		return h.marshal(m)
	}
	return nil
}

// snapshotAt returns the current snapshot and the number of the last
// message it includes; once the stream has ended, its final one.
func (h *hub) snapshotAt() seqSnapshot {
	r := make(chan seqSnapshot, 1)
	select {
	case h.snapReq <- r:
		return <-r
	case <-h.done:
		return seqSnapshot{seq: h.seq.Load(), msg: h.marshal(h.snapshot())}
	}
}

func (h *hub) snapshot() Snapshot {
	return Snapshot{
		Type:            TypeSnapshot,
		Session:         h.info(),
		Progress:        h.hist.progress,
		TrainLoss:       nonNil(h.hist.train),
		TestLoss:        nonNil(h.hist.test),
		Latent:          h.hist.latent,
		Reconstructions: h.hist.recon,
		State:           h.hist.state,
		Metrics:         nonNilMetrics(h.hist.metrics),
		Anomaly:         h.hist.anomaly,
		Changes:         nonNilChanges(h.hist.changes),
	}
}

func (h *hub) marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Only non-finite numbers can get here; the trainer filters them, so
		// this is a bug worth logging, not a reason to stop the stream.
		h.log.Error("marshal stream message", "err", err)
		return nil
	}
	return b
}

func nonNil(p []LossPoint) []LossPoint {
	if p == nil {
		return []LossPoint{}
	}
	return p
}

func nonNilChanges(c []Change) []Change {
	if c == nil {
		return []Change{}
	}
	return c
}

func nonNilMetrics(m map[string][]MetricPoint) map[string][]MetricPoint {
	if m == nil {
		return map[string][]MetricPoint{}
	}
	return m
}
