package session

import (
	"context"
	"time"
)

// Admission of trainings: one user action (a training, a sweep, a lab
// start) takes one rate token of its address and is admitted whole or not
// at all; the scheduler (scheduler.go) then gives each its turn.

// Check validates c without starting anything: the completed config, its
// summary (when the dataset is known) and the errors, including what only
// this server can say (a step too long for a turn, a training too long or
// too large for its memory).
func (m *Manager) Check(c Config) (Config, Summary, FieldErrors) {
	c, fe := Validate(c, m.reg, m.lim)
	var sum Summary
	if info, err := m.reg.Info(c.Dataset); err == nil {
		sum = Summarize(c, info.Features)
		if len(fe) == 0 {
			fe = m.admissible(c, info.Features, orAll(c.TrainSize, info.TrainSize), orAll(c.TestSize, info.TestSize))
		}
	}
	return c, sum, fe
}

func orAll(n, all int) int {
	if n <= 0 || n > all {
		return all
	}
	return n
}

// Create validates c and starts a training session for it, as the server's
// own work (no rate token). It returns the session and its owner token,
// which Authorize checks.
func (m *Manager) Create(c Config) (*Session, string, error) {
	st, err := m.Start("", c)
	if err != nil {
		return nil, "", err
	}
	return st[0].Session, st[0].Token, nil
}

// Start admits one user action from addr that starts the trainings cfgs:
// it takes one rate token of addr, checks that the address keeps within its
// share and that the queue has room for every training that cannot start
// at once, and starts them all, or none with the reason.
func (m *Manager) Start(addr string, cfgs ...Config) ([]Started, error) {
	if len(cfgs) == 0 {
		return nil, Errorf(EInvalid, "nothing to start")
	}
	out := make([]Started, len(cfgs))
	tickets := make([]*ticket, len(cfgs))
	owner := ""
	if addr != "" {
		owner = addrKey(addr)
	}
	for i, c := range cfgs {
		c, _, fe := m.Check(c)
		if err := fe.Err(); err != nil {
			return nil, err
		}
		info, _ := m.reg.Info(c.Dataset)
		token := newToken() // the caller's; the session keeps its hash
		s := &Session{
			id: newID(), token: OwnerOf(token), cfg: c, summary: Summarize(c, info.Features),
			created: time.Now(), log: m.log, wake: make(chan struct{}, 1), done: make(chan struct{}),
			state: Queued,
		}
		s.ctx, s.cancel = context.WithCancelCause(m.base)
		s.hub = newHub(s.Info, m.log, StateMsg{State: Queued})
		tickets[i] = &ticket{s: s, owner: owner, ready: make(chan struct{}),
			need: needOf(c, info.Features, orAll(c.TrainSize, info.TrainSize), orAll(c.TestSize, info.TestSize))}
		s.tk = tickets[i]
		out[i] = Started{Session: s, Token: token}
	}
	if c := m.opt.Cluster; c != nil && c.Jobs != nil {
		return m.startRemote(addr, owner, out)
	}
	if err := m.enqueue(addr, owner, tickets, nil); err != nil {
		return nil, err
	}
	return out, nil
}

// enqueue admits the trainings of tickets as one user action of addr
// (owner is its address group): it takes one rate token of addr, checks
// that the address keeps within its share and that the queue has room for
// every training that cannot start at once, registers the sessions and
// starts their goroutines; or, with the reason, ends their streams and
// starts none. replaces, when not nil, is the session the one ticket's
// session takes the place of (a resume): it must still be registered.
func (m *Manager) enqueue(addr, owner string, tickets []*ticket, replaces *Session) error {
	fail := func(err error) error {
		for _, t := range tickets { // never registered: end their streams
			t.s.cancel(errShutdown)
			t.s.setState(Stopped, ErrorMessage(err))
		}
		return err
	}

	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return fail(m.refuse(RefusedShutdown, Errorf(EUnavailable, "the server is shutting down; try again in a minute")))
	}
	if replaces != nil && m.sessions[replaces.id] != replaces {
		m.mu.Unlock()
		return fail(Errorf(EConflict, "session %s was resumed or deleted meanwhile", replaces.id))
	}
	if owner != "" && m.live[owner]+len(tickets) > m.opt.MaxPerAddress {
		have := m.live[owner]
		m.mu.Unlock()
		return fail(m.refuse(RefusedPerAddress, Errorf(EUnavailable, "your address already has %d trainings queued, running or paused, and this would add %d: one address may have at most %d at once so that others get their turn; stop or wait for some of them",
			have, len(tickets), m.opt.MaxPerAddress)))
	}
	tok, err := m.limiter.take(addr, rateStart, "trainings started")
	if err != nil {
		m.mu.Unlock()
		return fail(m.refuse(RefusedRateLimit, err))
	}
	for _, t := range tickets {
		t.queued = true
		m.queue = append(m.queue, t)
	}
	m.dispatchLocked()
	if len(m.queue) > m.opt.MaxQueued {
		// The bound is checked with the trainings in the queue, under the
		// lock, so that a burst cannot exceed it: undo and refuse.
		for _, t := range tickets {
			m.leaveLocked(t)
		}
		m.dispatchLocked()
		running, waiting := m.running, len(m.queue)
		m.mu.Unlock()
		tok.cancel()
		what := "this training does"
		if len(tickets) > 1 {
			what = itoa(len(tickets)) + " trainings do"
		}
		return fail(m.refuse(RefusedQueueFull, Errorf(EUnavailable, "the server is busy: %d trainings are running and %d are waiting, and %s not fit in the queue (%d places); try again in a minute",
			running, waiting, what, m.opt.MaxQueued)))
	}
	m.live[owner] += len(tickets)
	for _, t := range tickets {
		s := t.s
		if replaces != nil {
			m.replaceLocked(replaces, s)
			continue
		}
		for m.sessions[s.id] != nil {
			s.id = newID()
		}
		m.registerLocked(s)
	}
	m.wg.Add(len(tickets))
	m.mu.Unlock()

	what := "session created"
	if replaces != nil {
		what = "session resumed"
	}
	for _, t := range tickets {
		s := t.s
		go func() {
			defer m.wg.Done()
			s.run(m)
		}()
		m.log.Info(what, "session", s.id, "dataset", s.cfg.Dataset, "sizes", Arrow(s.summary.Sizes))
	}
	return nil
}
