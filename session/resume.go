package session

import (
	"context"
	"slices"
	"time"
)

// Resuming an interrupted training. A session that was queued or running
// when the server stopped comes back Interrupted (restore.go), at the last
// checkpoint the store keeps: the weights and the training's state at the
// end of its last completed epoch (or where a graceful shutdown stopped
// it). Its owner may resume it: a new live session of the same ID takes
// its place, admitted through the door like any start, and continues from
// the checkpoint. The step counter and the curves carry on from there; what
// the run recorded after the checkpoint (at most an epoch's points) is
// forgotten, in memory and in the store, since the run does it again. With
// the training's state in the checkpoint the resumed run is the
// uninterrupted one, bit for bit; a checkpoint of an older store has the
// weights only, and the optimizer then starts afresh.

// ResumePoint is where an interrupted session resumed from: the epochs
// completed and the step of the checkpoint it continued from.
type ResumePoint struct {
	Epoch int `json:"epoch"`
	Step  int `json:"step"`
}

// ResumeInterrupted continues the interrupted session s from its last
// checkpoint, as one user action of addr ("" for the server's own): it
// takes a rate token of addr and waits in the queue for a running slot and
// its memory, as Start does. It returns the live session that now answers
// for s's ID (s itself stays as it was, for whoever still holds it). The
// caller checks that the owner asks. It fails with EConflict if s is not
// interrupted, or was resumed or deleted meanwhile.
func (m *Manager) ResumeInterrupted(ctx context.Context, addr string, s *Session) (*Session, error) {
	if st := s.State(); st != Interrupted || s.kept == nil {
		return nil, Errorf(EConflict, "session %s has %s: only a paused or interrupted training can be resumed; start a new one to train again", s.id, endedWord(st))
	}
	if s.remote != nil && !s.remote.isEnded() {
		// A run moving between replicas: it resumes on its own.
		return s, s.relayAction(RunRequest{Action: "resume"})
	}
	if c := m.opt.Cluster; c != nil && c.Jobs != nil {
		return m.resumeRemote(ctx, addr, s)
	}
	ns, err := m.resumedSession(ctx, s)
	if err != nil {
		return nil, err
	}
	owner := ""
	if addr != "" {
		owner = addrKey(addr)
	}
	ns.tk.owner = owner
	if err := m.enqueue(addr, owner, []*ticket{ns.tk}, s); err != nil {
		return nil, err
	}
	return ns, nil
}

// resumedSession returns a new live session that continues the
// interrupted session s from its last checkpoint in the store, with its
// ticket (of the server's own), not yet admitted.
func (m *Manager) resumedSession(ctx context.Context, s *Session) (*Session, error) {
	c, fe := Validate(s.cfg, m.reg, m.lim)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	info, err := m.reg.Info(c.Dataset)
	if err != nil {
		return nil, Errorf(EConflict, "session %s cannot resume: its dataset %q is no longer on this server", s.id, c.Dataset)
	}
	if fe := m.admissible(c, info.Features, orAll(c.TrainSize, info.TrainSize), orAll(c.TestSize, info.TestSize)); len(fe) > 0 {
		return nil, fe.Err()
	}
	ck, err := s.kept.st.Checkpoint(ctx, s.id)
	if err != nil {
		return nil, &Error{Code: EInternal, Message: "the session's checkpoint could not be read from the store", Err: err}
	}
	if ck == nil { // interrupted before its first epoch ended: from the start
		ck = &Checkpoint{SessionID: s.id}
	}

	// The history up to the checkpoint; the ended hub's is frozen.
	old := s.hub.hist
	keep := ck.Step // the curve points kept: up to the checkpoint
	if ck.Params == nil {
		keep = -1 // none when it starts over: it measures step 0 again
	}
	upTo := func(pts []LossPoint) []LossPoint {
		return slices.DeleteFunc(slices.Clone(pts), func(p LossPoint) bool { return p.Step > keep })
	}
	hist := history{train: upTo(old.train), test: upTo(old.test), latent: old.latent, recon: old.recon,
		anomaly: old.anomaly, state: StateMsg{State: Queued},
		changes: slices.DeleteFunc(slices.Clone(old.changes), func(c Change) bool { return c.Step > ck.Step })}
	for name, pts := range old.metrics {
		if hist.metrics == nil {
			hist.metrics = make(map[string][]MetricPoint)
		}
		hist.metrics[name] = slices.DeleteFunc(slices.Clone(pts), func(p MetricPoint) bool { return p.Step > keep })
	}
	var elapsed time.Duration
	if old.progress != nil {
		p := *old.progress
		if p.Step > 0 {
			elapsed = time.Duration(p.Elapsed * float64(ck.Step) / float64(p.Step) * float64(time.Second))
		}
		p.Step, p.Epoch, p.SamplesPerSec, p.ETA = ck.Step, ck.Epoch, 0, 0
		p.Elapsed = round4(elapsed.Seconds())
		hist.progress = &p
	}

	s.mu.Lock()
	ns := &Session{id: s.id, token: s.token, owner: s.owner, cfg: c, summary: Summarize(c, info.Features),
		created: s.created, log: m.log, wake: make(chan struct{}, 1), done: make(chan struct{}), state: Queued,
		epoch: ck.Epoch, step: ck.Step, totalSteps: s.totalSteps, started: s.started, sets: len(hist.changes),
		from: &resumePlan{ck: ck, changes: slices.Clone(hist.changes), elapsed: elapsed,
			train: lastLoss(hist.train), test: lastLoss(hist.test)},
		resumedAt: &ResumePoint{Epoch: ck.Epoch, Step: ck.Step}}
	s.mu.Unlock()
	if n := len(hist.train); n > 0 {
		l := hist.train[n-1].Loss
		ns.trainLoss = &l
	}
	if n := len(hist.test); n > 0 {
		l := hist.test[n-1].Loss
		ns.testLoss = &l
	}
	ns.ctx, ns.cancel = context.WithCancelCause(m.base)
	ns.hub = newHubWith(ns.Info, m.log, hist)
	ns.tk = &ticket{s: ns, ready: make(chan struct{}),
		need: needOf(c, info.Features, orAll(c.TrainSize, info.TrainSize), orAll(c.TestSize, info.TestSize))}
	return ns, nil
}

// replaceLocked puts ns in the place of s (m.mu held): same ID, same place
// in the list; with a store, ns persists, and the curve points s recorded
// past ns's checkpoint are forgotten first.
func (m *Manager) replaceLocked(s, ns *Session) {
	if m.rec != nil {
		ns.rec = m.rec
		ns.kf.st = m.rec.st
		to := ns.step
		if ns.from != nil && ns.from.ck.Params == nil {
			to = -1 // starting over: forget every point, step 0's included
		}
		m.rec.rewind(ns.id, to)
		ns.hub.persist = ns.persistEvent
		ns.persistHead()
	}
	m.sessions[ns.id] = ns
	if i := slices.Index(m.order, s); i >= 0 {
		m.order[i] = ns
	}
}

// endedWord says how a terminal state ended ("completed", "been stopped").
func endedWord(st State) string {
	switch st {
	case Completed, Failed:
		return string(st)
	case Stopped, Interrupted:
		return "been " + string(st)
	}
	return "not ended (it is " + string(st) + ")"
}

// lastLoss is the loss of the last point of pts, or nil if none.
func lastLoss(pts []LossPoint) *float64 {
	if len(pts) == 0 {
		return nil
	}
	l := pts[len(pts)-1].Loss
	return &l
}
