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
	if m.closed {
		m.mu.Unlock()
		return endAll(m.refuse(RefusedShutdown, Errorf(EUnavailable, "the server is shutting down; try again in a minute")))
	}
	if owner != "" && m.live[owner]+len(out) > m.opt.MaxPerAddress {
		have := m.live[owner]
		m.mu.Unlock()
		return endAll(m.refuse(RefusedPerAddress, Errorf(EUnavailable, "your address already has %d trainings queued, running or paused, and this would add %d: one address may have at most %d at once so that others get their turn; stop or wait for some of them",
			have, len(out), m.opt.MaxPerAddress)))
	}
	tok, err := m.limiter.take(addr, rateStart, "trainings started")
	if err != nil {
		m.mu.Unlock()
		return endAll(m.refuse(RefusedRateLimit, err))
	}
	m.live[owner] += len(out)
	m.mu.Unlock()
	giveBackN := func(n int) {
		m.mu.Lock()
		if m.live[owner] -= n; m.live[owner] <= 0 {
			delete(m.live, owner)
		}
		m.mu.Unlock()
	}
	giveBack := func() { giveBackN(len(out)) }

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
			giveBackN(len(out) - i) // the mirrors made give theirs back as they end
			return nil, err
		}
		m.mu.Lock()
		m.sessions[s.id] = s
		m.order = append(m.order, s)
		m.evictLocked()
		m.mu.Unlock()
		out[i].Session = s
		if err := jobs.Put(ctx, Job{Record: recs[i]}); err != nil {
			m.log.Error("bus: a job could not be queued", "session", s.id, "err", err)
			m.stopQueued(recs[:i+1], err)
			giveBackN(len(out) - i - 1)
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
	tok, err := m.limiter.take(addr, rateStart, "trainings started")
	if err != nil {
		return nil, m.refuse(RefusedRateLimit, err)
	}
	waiting, err := m.opt.Cluster.Jobs.Waiting(ctx)
	if err == nil && waiting+1 > m.opt.MaxQueued {
		tok.cancel()
		return nil, m.refuse(RefusedQueueFull, Errorf(EUnavailable, "the servers are busy: %d trainings are waiting and the queue has %d places; try again in a minute", waiting, m.opt.MaxQueued))
	}
	rec := s.record()
	mirror, err := m.newMirror(ctx, rec, "", true)
	if err != nil {
		tok.cancel()
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
	if err := m.opt.Cluster.Jobs.Put(ctx, Job{Record: rec}); err != nil {
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
