package session

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"
)

// A mirror is how a replica shows a run that another replica trains (or
// that waits in the shared queue): a session without a trainer whose hub
// is fed by the run's messages on the bus. A viewer subscribes to it as to
// any session, snapshot first. When the run moves to another replica (a
// new incarnation), the mirror shows the handover state, asks the new
// replica for its snapshot and sends it to its viewers, which replace
// their picture with it; then the updates carry on. The owner's actions on
// a mirror are relayed to the replica that trains the run.

// mirrorBuffer bounds the messages kept while a mirror is being made.
const mirrorBuffer = 256

// askTimeout bounds one request to the replica that trains a run.
const askTimeout = 5 * time.Second

// remoteRun is the bus side of a mirror.
type remoteRun struct {
	m     *Manager
	s     *Session
	owner string // the address group that started or resumed it here ("" if none): it holds the run in the share (livecount.go)

	mu      sync.Mutex
	ready   bool
	ended   bool
	inc     string
	seq     uint64
	pending []RunMessage
	stop    func()
	heard   time.Time // when the last message arrived (mirrorcheck.go)

	wmu      sync.Mutex     // guards the two below (liveweights.go)
	weights  *mirrorWeights // what the views run on, and when it was had
	fetching *weightsFetch  // the fetch under way; nil if none
}

// newMirror makes the mirror of kept session r, its history as the
// replica training it tells, else as the store keeps it. It is not
// registered.
func (m *Manager) newMirror(ctx context.Context, r SessionRecord, owner string, fromStore bool) (*Session, error) {
	c := m.opt.Cluster
	info, err := m.reg.Info(r.Config.Dataset)
	if err != nil {
		return nil, Errorf(EConflict, "session %s trains on dataset %q, which this server does not have", r.ID, r.Config.Dataset)
	}
	if cfg, fe := Validate(r.Config, m.reg, m.lim); len(fe) == 0 {
		r.Config = cfg
	}
	s := &Session{id: r.ID, cfg: r.Config, summary: Summarize(r.Config, info.Features), created: r.CreatedAt,
		log: m.log, wake: make(chan struct{}, 1), done: make(chan struct{}), state: r.State, errMsg: r.Reason,
		epoch: r.Epoch, step: r.Step, totalSteps: r.TotalSteps, trainLoss: r.TrainLoss, testLoss: r.TestLoss,
		started: r.StartedAt, finished: r.FinishedAt, resumedAt: r.ResumedAt}
	if m.opt.Store != nil {
		s.kept = &keptModel{st: m.opt.Store, reg: m.reg}
	}
	copy(s.token[:], r.OwnerHash)
	copy(s.owner[:], r.BrowserHash)
	s.ctx, s.cancel = context.WithCancelCause(m.base)
	rr := &remoteRun{m: m, s: s, owner: owner}
	s.remote = rr
	stop, err := c.Events.Watch(r.ID, rr.receive)
	if err != nil {
		return nil, &Error{Code: EUnavailable, Message: "the live stream of this run cannot be followed now; try again in a moment", Err: err}
	}
	rr.stop = stop
	hist := history{state: StateMsg{State: r.State, Error: r.Reason, TestLoss: r.TestLoss}}
	if sn, ok := rr.ask(ctx); ok {
		hist = sn
	} else if fromStore && m.opt.Store != nil {
		if h, err := historyOf(ctx, m.opt.Store, r, hist.state); err == nil {
			hist = h
		}
	}
	s.hub = newHubWith(s.Info, m.log, hist)
	rr.mu.Lock()
	rr.ready = true
	rr.heard = time.Now()
	pending := rr.pending
	rr.pending = nil
	for _, msg := range pending {
		rr.applyLocked(msg)
	}
	rr.mu.Unlock()
	return s, nil
}

// mirrorOf returns the session of kept record r, a live run of another
// replica, making and registering its mirror if there is none here.
func (m *Manager) mirrorOf(r SessionRecord) (*Session, error) {
	ctx, cancel := context.WithTimeout(m.base, reloadTimeout)
	defer cancel()
	s, err := m.newMirror(ctx, r, "", true)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	if have := m.sessions[r.ID]; have != nil || m.closed {
		m.mu.Unlock()
		s.remote.end(false)
		if have == nil {
			return nil, Errorf(EUnavailable, "the server is shutting down")
		}
		return have, nil
	}
	m.sessions[s.id] = s
	m.order = append(m.order, s)
	m.evictLocked()
	m.mu.Unlock()
	return s, nil
}

// ask asks the replica training the run for its snapshot; it sets the
// incarnation and message number the snapshot reaches (rr.mu need not be
// held: the caller serialises).
func (rr *remoteRun) ask(ctx context.Context) (history, bool) {
	relay := rr.m.opt.Cluster.Relay
	if relay == nil {
		return history{}, false
	}
	ctx, cancel := context.WithTimeout(ctx, askTimeout)
	defer cancel()
	rep, err := relay.Ask(ctx, rr.s.id, RunRequest{Action: "snapshot"})
	if err != nil || rep.Error != nil || len(rep.Snapshot) == 0 {
		if err != nil && !errors.Is(err, ErrNoTrainer) {
			rr.m.log.Warn("bus: a run's snapshot could not be had", "session", rr.s.id, "err", err)
		}
		return history{}, false
	}
	var sn Snapshot
	if err := json.Unmarshal(rep.Snapshot, &sn); err != nil {
		return history{}, false
	}
	rr.inc, rr.seq = rep.Incarnation, rep.Seq
	rr.s.note(sn.Session)
	sn.State.Type = ""
	return history{progress: sn.Progress, train: sn.TrainLoss, test: sn.TestLoss, latent: sn.Latent,
		recon: sn.Reconstructions, state: sn.State, metrics: sn.Metrics, anomaly: sn.Anomaly, changes: sn.Changes}, true
}

// receive is called by the bus with each message of the run, in order.
func (rr *remoteRun) receive(msg RunMessage) {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if rr.ended {
		return
	}
	rr.heard = time.Now()
	if !rr.ready {
		if len(rr.pending) < mirrorBuffer {
			rr.pending = append(rr.pending, msg)
		}
		return
	}
	rr.applyLocked(msg)
}

// applyLocked applies one message of the run to the mirror (rr.mu held).
func (rr *remoteRun) applyLocked(msg RunMessage) {
	if rr.ended {
		return
	}
	if msg.Incarnation != rr.inc {
		// Another replica trains the run now: its handover state first,
		// then its snapshot.
		rr.forgetWeights()
		if msg.Handover {
			rr.deliverLocked(msg)
		}
		if hist, ok := rr.ask(rr.m.base); ok {
			rr.s.hub.publishWait(hubEvent{reset: &hist})
		} else {
			rr.inc, rr.seq = msg.Incarnation, 0
		}
		if msg.Incarnation != rr.inc || msg.Seq <= rr.seq {
			return
		}
	} else if msg.Seq <= rr.seq && !(msg.Handover && msg.Seq == 0) {
		return
	} else if msg.Seq > rr.seq+1 {
		// Messages were lost on the way (this replica fell behind): the
		// snapshot has them.
		if hist, ok := rr.ask(rr.m.base); ok && rr.inc == msg.Incarnation {
			rr.s.hub.publishWait(hubEvent{reset: &hist})
			if msg.Seq <= rr.seq {
				return
			}
		}
	}
	if msg.Seq > rr.seq {
		rr.seq = msg.Seq
	}
	rr.deliverLocked(msg)
}

// deliverLocked hands one message to the mirror's viewers and notes what it
// changes in the mirror's description.
func (rr *remoteRun) deliverLocked(msg RunMessage) {
	ev, ok := decodeEvent(msg.Data)
	if !ok {
		return
	}
	if msg.Handover && ev.state != nil {
		rr.forgetWeights() // its replica stopped: the checkpoint it wrote, or the next one's weights
		st := *ev.state
		st.State, st.Error = Interrupted, handedOverReason
		ev.state, ev.keepOpen = &st, true
	}
	rr.s.noteEvent(ev)
	rr.s.hub.publishWait(ev)
	if ev.state != nil && ev.state.State.Terminal() && !ev.keepOpen {
		rr.endLocked(true)
	}
}

// following reports whether s is a mirror still following its run: one
// whose run is being handed over to another replica shows it interrupted
// (an ended state), yet its hub and bus subscription live on, so it must
// not be forgotten as ended (evictLocked). It takes no lock (m.mu may be
// held): the mirror closes s.done when it stops following.
func (s *Session) following() bool {
	if s.remote == nil {
		return false
	}
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// isEnded reports whether the mirror stopped following the run.
func (rr *remoteRun) isEnded() bool {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return rr.ended
}

// end stops following the run.
func (rr *remoteRun) end(hubEnded bool) {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	rr.endLocked(hubEnded)
}

func (rr *remoteRun) endLocked(hubEnded bool) {
	if rr.ended {
		return
	}
	rr.ended = true
	if rr.stop != nil {
		go rr.stop() // not from within the bus's callback
	}
	if !hubEnded && rr.s.hub != nil {
		// This replica stops following a live run: its viewers' streams
		// end without a final state, and they reconnect.
		rr.s.hub.publishWait(hubEvent{quit: true})
	}
	rr.s.snap.Store(nil) // the final weights load from the store
	close(rr.s.done)
	if rr.owner != "" {
		// The mirror of a run this replica admitted gives its place in
		// the address's share back. In the cluster's count, not when it
		// stops following a live run because this replica shuts down:
		// the run lives on, and the replica training it holds it.
		m := rr.m
		m.mu.Lock()
		closing := m.closed
		m.mu.Unlock()
		switch lc := m.liveCount(); {
		case lc == nil:
			m.releaseLive(rr.owner, rr.s.id)
		case hubEnded || !closing:
			go lc.Release(rr.owner, rr.s.id) // not under rr.mu: it asks NATS (250 ms at most)
		}
	}
}

// decodeEvent turns one protocol message back into the hub event it came
// from.
func decodeEvent(b []byte) (hubEvent, bool) {
	var head struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(b, &head) != nil {
		return hubEvent{}, false
	}
	var ev hubEvent
	var err error
	switch head.Type {
	case TypeProgress:
		var v Progress
		err, ev.progress = json.Unmarshal(b, &v), &v
		v.Type = ""
	case TypeLoss:
		var v LossBatch
		err, ev.loss = json.Unmarshal(b, &v), &v
	case TypeLatent:
		var v Latent
		err, ev.latent = json.Unmarshal(b, &v), &v
		v.Type = ""
	case TypeReconstructions:
		var v Reconstructions
		err, ev.recon = json.Unmarshal(b, &v), &v
		v.Type = ""
	case TypeMetrics:
		var v Metrics
		err, ev.metrics = json.Unmarshal(b, &v), &v
	case TypeAnomaly:
		var v Anomaly
		err, ev.anomaly = json.Unmarshal(b, &v), &v
	case TypeChange:
		var v ChangeMsg
		err = json.Unmarshal(b, &v)
		ev.changes = v.Changes
		if len(ev.changes) == 0 {
			return ev, false
		}
	case TypeState:
		var v StateMsg
		err, ev.state = json.Unmarshal(b, &v), &v
		v.Type = ""
	default:
		return ev, false
	}
	return ev, err == nil
}

// note copies the description of the run as its replica gave it.
func (s *Session) note(in Info) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state, s.errMsg, s.epoch, s.step, s.totalSteps = in.State, in.Error, in.Epoch, in.Step, in.TotalSteps
	s.trainLoss, s.testLoss, s.queuePos, s.resumedAt, s.replica = in.TrainLoss, in.TestLoss, in.QueuePosition, in.ResumedAt, in.Replica
	if in.StartedAt != nil {
		s.started = *in.StartedAt
	}
	if in.FinishedAt != nil {
		s.finished = *in.FinishedAt
	}
}

// noteEvent updates the mirror's description with what ev says.
func (s *Session) noteEvent(ev hubEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case ev.progress != nil:
		s.epoch, s.step, s.totalSteps = ev.progress.Epoch, ev.progress.Step, ev.progress.TotalSteps
	case ev.loss != nil:
		if n := len(ev.loss.Train); n > 0 {
			l := ev.loss.Train[n-1].Loss
			s.trainLoss = &l
		}
		if n := len(ev.loss.Test); n > 0 {
			l := ev.loss.Test[n-1].Loss
			s.testLoss = &l
		}
	case ev.state != nil:
		s.state, s.errMsg, s.queuePos = ev.state.State, ev.state.Error, ev.state.QueuePosition
		if ev.state.TestLoss != nil {
			s.testLoss = ev.state.TestLoss
		}
		now := time.Now()
		if s.state == Running && s.started.IsZero() {
			s.started = now
		}
		if s.state.Terminal() && !ev.keepOpen {
			s.finished = now
		}
	}
}

// fromCluster returns the mirror of run id when the store keeps it live
// (queued, training, or moving between replicas) and this replica is in a
// cluster; nil otherwise.
func (m *Manager) fromCluster(id string) (*Session, error) {
	st := m.opt.Store
	if m.opt.Cluster == nil || m.opt.Cluster.Events == nil || st == nil || id == "" || len(id) > 64 {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(m.base, reloadTimeout)
	defer cancel()
	recs, err := st.QuerySessions(ctx, SessionQuery{IDs: []string{id}, Limit: 1})
	if err != nil || len(recs) == 0 {
		return nil, nil
	}
	if r := recs[0]; (!r.State.Terminal() && r.State != Interrupted) || handedOver(r) {
		return m.mirrorOf(r)
	}
	return nil, nil
}

// mirrorSnapEvery is how long the weights of a mirrored run, read from its
// latest checkpoint in the store when its training replica does not
// answer, serve again before the store is read again (liveweights.go).
const mirrorSnapEvery = 10 * time.Second
