package session

import (
	"context"
	"time"
)

// Starting trainings in a cluster: the door of the replica that receives
// the start admits it (rate token, the address's share, room in the shared
// queue), the sessions are written to the shared store and their jobs put
// on the queue, and the replica follows each run through a mirror
// (mirror.go) until it ends, wherever it trains.

// startRemote admits the sessions of out, made by Start for addr (owner
// is its address group), as one user action, and puts their jobs on the
// cluster's queue.
func (m *Manager) startRemote(addr, owner string, out []Started) ([]Started, error) {
	jobs := m.opt.Cluster.Jobs
	endAll := func(err error) ([]Started, error) {
		for _, st := range out {
			st.Session.cancel(errShutdown)
			st.Session.hub.publishWait(hubEvent{quit: true})
		}
		return nil, err
	}
	m.mu.Lock()
	closed := m.closed
	m.mu.Unlock()
	if closed {
		return endAll(m.refuse(RefusedShutdown, Errorf(EUnavailable, "the server is shutting down; try again in a minute")))
	}
	ids := make([]string, len(out))
	for i, st := range out {
		ids[i] = st.Session.id
	}
	giveBackIDs, err := m.holdLive(owner, ids)
	if err != nil {
		return endAll(err)
	}
	m.mu.Lock()
	tok, err := m.limiter.take(addr, rateStart, "trainings started")
	m.mu.Unlock()
	if err != nil {
		giveBackIDs(ids...)
		return endAll(m.refuse(RefusedRateLimit, err))
	}
	giveBack := func() { giveBackIDs(ids...) }

	ctx, cancel := context.WithTimeout(m.base, reloadTimeout)
	defer cancel()
	waiting, err := jobs.Waiting(ctx)
	if err != nil {
		tok.cancel()
		giveBack()
		return endAll(m.refuse(RefusedQueueFull, &Error{Code: EUnavailable, Message: "the training queue cannot be reached; try again in a minute", Err: err}))
	}
	if waiting+len(out) > m.opt.MaxQueued {
		tok.cancel()
		giveBack()
		what := "this training does"
		if len(out) > 1 {
			what = itoa(len(out)) + " trainings do"
		}
		return endAll(m.refuse(RefusedQueueFull, Errorf(EUnavailable, "the servers are busy: %d trainings are waiting, and %s not fit in the queue (%d places); try again in a minute",
			waiting, what, m.opt.MaxQueued)))
	}

	// The heads go to the store before the jobs, so that whichever replica
	// takes a job finds its session there.
	recs := make([]SessionRecord, len(out))
	for i, st := range out {
		recs[i] = st.Session.record()
	}
	if s := m.opt.Store; s != nil {
		if err := s.Write(ctx, &Batch{Sessions: recs}); err != nil {
			tok.cancel()
			giveBack()
			return endAll(&Error{Code: EInternal, Message: "the trainings could not be written to the store", Err: err})
		}
	}
	for i, st := range out {
		old := st.Session
		old.hub.publishWait(hubEvent{quit: true}) // the mirror has a hub of its own
		s, err := m.newMirror(ctx, recs[i], owner, false)
		if err != nil {
			m.stopQueued(recs[:i], err)
			giveBackIDs(ids[i:]...) // the mirrors made give theirs back as they end
			return nil, err
		}
		m.mu.Lock()
		m.sessions[s.id] = s
		m.order = append(m.order, s)
		m.evictLocked()
		m.mu.Unlock()
		out[i].Session = s
		if err := jobs.Put(ctx, Job{Record: recs[i], Owner: owner}); err != nil {
			m.log.Error("bus: a job could not be queued", "session", s.id, "err", err)
			m.stopQueued(recs[:i+1], err)
			giveBackIDs(ids[i+1:]...)
			return nil, m.refuse(RefusedQueueFull, Errorf(EUnavailable, "the servers are busy: the training queue is full; try again in a minute"))
		}
		m.log.Info("session queued on the bus", "session", s.id, "dataset", s.cfg.Dataset, "sizes", Arrow(s.summary.Sizes))
	}
	return out, nil
}

// stopQueued marks the sessions of recs stopped in the store and tells
// their viewers, when their jobs could not be queued.
func (m *Manager) stopQueued(recs []SessionRecord, why error) {
	ctx, cancel := context.WithTimeout(context.Background(), reloadTimeout)
	defer cancel()
	for _, r := range recs {
		r.State, r.Reason, r.FinishedAt = Stopped, ErrorMessage(why), time.Now()
		if st := m.opt.Store; st != nil {
			_ = st.Write(ctx, &Batch{Sessions: []SessionRecord{r}})
		}
		m.announce(r.ID, StateMsg{Type: TypeState, State: Stopped, Error: r.Reason})
	}
}

// resumeRemote resumes the interrupted session s in a cluster, as one user
// action of addr: its job goes on the shared queue, and whichever replica
// takes it continues from the checkpoint; this replica follows it through
// a mirror, which takes s's place here.
func (m *Manager) resumeRemote(ctx context.Context, addr string, s *Session) (*Session, error) {
	if st := s.State(); st != Interrupted || s.kept == nil {
		return nil, Errorf(EConflict, "session %s has %s: only a paused or interrupted training can be resumed; start a new one to train again", s.id, endedWord(st))
	}
	if _, fe := Validate(s.cfg, m.reg, m.lim); len(fe) > 0 {
		return nil, fe.Err()
	}
	owner := ""
	if addr != "" {
		owner = addrKey(addr)
	}
	giveBackIDs, err := m.holdLive(owner, []string{s.id})
	if err != nil {
		return nil, err
	}
	giveBack := func() { giveBackIDs(s.id) } // until its mirror holds it
	m.mu.Lock()
	tok, err := m.limiter.take(addr, rateStart, "trainings started")
	m.mu.Unlock()
	if err != nil {
		giveBack()
		return nil, m.refuse(RefusedRateLimit, err)
	}
	waiting, err := m.opt.Cluster.Jobs.Waiting(ctx)
	if err == nil && waiting+1 > m.opt.MaxQueued {
		tok.cancel()
		giveBack()
		return nil, m.refuse(RefusedQueueFull, Errorf(EUnavailable, "the servers are busy: %d trainings are waiting and the queue has %d places; try again in a minute", waiting, m.opt.MaxQueued))
	}
	rec := s.record()
	mirror, err := m.newMirror(ctx, rec, owner, true)
	if err != nil {
		tok.cancel()
		giveBack()
		return nil, err
	}
	m.mu.Lock()
	if m.sessions[s.id] != s {
		m.mu.Unlock()
		tok.cancel()
		mirror.remote.end(false)
		return nil, Errorf(EConflict, "session %s was resumed or deleted meanwhile", s.id)
	}
	m.sessions[s.id] = mirror
	if i := indexOf(m.order, s); i >= 0 {
		m.order[i] = mirror
	}
	m.mu.Unlock()
	m.forgetReloaded(s.id)
	if err := m.opt.Cluster.Jobs.Put(ctx, Job{Record: rec, Owner: owner}); err != nil {
		m.log.Error("bus: a resumed job could not be queued", "session", s.id, "err", err)
		m.mu.Lock()
		if m.sessions[s.id] == mirror {
			m.sessions[s.id] = s
			if i := indexOf(m.order, mirror); i >= 0 {
				m.order[i] = s
			}
		}
		m.mu.Unlock()
		mirror.remote.end(false)
		return nil, m.refuse(RefusedQueueFull, Errorf(EUnavailable, "the servers are busy: the training queue is full; try again in a minute"))
	}
	return mirror, nil
}
