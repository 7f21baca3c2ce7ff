package session

import (
	"context"
	"slices"
	"time"
)

// Admission of trainings: one user action (a training, a sweep, a lab
// start) takes one rate token of its address and is admitted whole or not
// at all. Each training holds a ticket: it waits in the queue for a running
// slot and the bytes of its memory estimate; a paused training gives its
// running slot back (keeping its memory, its model lives on) and queues
// again on resume. Slots are handed to the queued training whose address
// has the fewest running, in arrival order among equals, so one address
// cannot take every slot from the others.

// ticket is a training's place in the scheduler.
type ticket struct {
	s       *Session
	owner   string       // the address group that started it ("" for the server's own)
	shared  bool         // a cluster's job: its owner's share is held elsewhere (livecount.go), not in live
	need    trainingNeed // its memory estimate
	memHeld bool         // need is reserved (from its first start to its end)
	running bool         // it holds a running slot
	queued  bool
	left    bool          // it has left the scheduler for good
	ready   chan struct{} // closed when it is given a running slot
}

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

// trainingBudget is the share of the memory budget trainings may hold
// together: the rest is kept for views and analyses.
func (m *Manager) trainingBudget() int64 {
	return m.opt.MaxMemory - min(m.opt.MaxMemory/8, 256<<20)
}

// heldNeeds yields the needs of the trainings holding memory, and of extra
// when it is not nil.
func (m *Manager) heldNeeds(extra *ticket) func(yield func(trainingNeed) bool) {
	return func(yield func(trainingNeed) bool) {
		for t := range m.held {
			if !yield(t.need) {
				return
			}
		}
		if extra != nil {
			yield(extra.need)
		}
	}
}

// memWith is the memory reserved if t's were reserved too.
func (m *Manager) memWith(t *ticket) int64 {
	shared, _ := sharedMemory(m.cpu.cores, m.heldNeeds(t))
	return m.memUsed - m.memShared + t.need.own + shared
}

// reshareLocked updates the trainings' shared reservation after one came
// or went, and bounds the scratch pool's idle blocks to its part of it.
func (m *Manager) reshareLocked() {
	shared, idle := sharedMemory(m.cpu.cores, m.heldNeeds(nil))
	m.memUsed += shared - m.memShared
	m.memShared = shared
	m.scratch.SetMaxIdle(idle)
}

// dispatchLocked gives free running slots to queued trainings that fit in
// memory: first those whose address has the fewest running, then by arrival.
func (m *Manager) dispatchLocked() {
	for m.running < m.opt.MaxRunning {
		best := -1
		for i, t := range m.queue {
			if !t.memHeld && m.memWith(t) > m.trainingBudget() {
				continue
			}
			if best < 0 || m.runningBy[t.owner] < m.runningBy[m.queue[best].owner] {
				best = i
			}
		}
		if best < 0 {
			break
		}
		t := m.queue[best]
		m.queue = slices.Delete(m.queue, best, best+1)
		t.queued, t.running = false, true
		if !t.memHeld {
			t.memHeld = true
			m.held[t] = struct{}{}
			m.memUsed += t.need.own
			m.reshareLocked()
		}
		m.running++
		m.runningBy[t.owner]++
		close(t.ready)
	}
	for i, t := range m.queue {
		t.s.setQueuePosition(i + 1)
	}
}

// waitTurn waits until t holds a running slot, or ctx ends.
func (m *Manager) waitTurn(ctx context.Context, t *ticket) error {
	m.mu.Lock()
	ready := t.ready
	m.mu.Unlock()
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// yield gives t's running slot back (a pause); t keeps its memory.
func (m *Manager) yield(t *ticket) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.releaseSlotLocked(t)
	m.dispatchLocked()
}

// requeue puts a paused t back in the queue (a resume).
func (m *Manager) requeue(t *ticket) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t.left || t.running || t.queued {
		return
	}
	t.ready = make(chan struct{})
	t.queued = true
	m.queue = append(m.queue, t)
	m.dispatchLocked()
}

func (m *Manager) releaseSlotLocked(t *ticket) {
	if !t.running {
		return
	}
	t.running = false
	m.running--
	if m.runningBy[t.owner]--; m.runningBy[t.owner] <= 0 {
		delete(m.runningBy, t.owner)
	}
}

// leave takes t out of the scheduler for good, giving back whatever it
// holds; calling it again does nothing.
func (m *Manager) leave(t *ticket) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t.left {
		return
	}
	m.leaveLocked(t)
	if !t.shared {
		if m.live[t.owner]--; m.live[t.owner] <= 0 {
			delete(m.live, t.owner)
		}
	}
	m.dispatchLocked()
}

func (m *Manager) leaveLocked(t *ticket) {
	t.left = true
	if t.queued {
		t.queued = false
		if i := slices.Index(m.queue, t); i >= 0 {
			m.queue = slices.Delete(m.queue, i, i+1)
		}
	}
	m.releaseSlotLocked(t)
	if t.memHeld {
		t.memHeld = false
		delete(m.held, t)
		m.memUsed -= t.need.own
		m.reshareLocked()
	}
}

// Stats is a summary of the manager's load and limits, for /healthz.
type Stats struct {
	Sessions      int       `json:"sessions"`
	Running       int       `json:"running"`
	Queued        int       `json:"queued"`
	Computing     int       `json:"computing"` // trainings running and not paused, and other work admitted
	Cores         int       `json:"cores"`
	CPUInUse      int       `json:"cpu_in_use"`  // CPU slots held now
	CPUWaiting    int       `json:"cpu_waiting"` // computations waiting for a slot
	MaxRunning    int       `json:"max_running"`
	MaxQueued     int       `json:"max_queued"`
	MaxPerAddress int       `json:"max_per_address"`
	MaxFinished   int       `json:"max_finished"`
	MemoryBudget  int64     `json:"memory_budget"` // bytes
	MemoryUsed    int64     `json:"memory_used"`   // bytes reserved by admitted work
	MemoryShared  int64     `json:"memory_shared"` // of MemoryUsed, what trainings hold together (scratch blocks, checkpoints)
	CoreGFLOPS    float64   `json:"core_gflops"`
	MaxStepMillis int       `json:"max_step_ms"`
	MaxCoreMin    int       `json:"max_core_minutes"`
	StartLimit    RateLimit `json:"start_limit"`
	UploadLimit   RateLimit `json:"upload_limit"`
	Limits        Limits    `json:"limits"`
}

// Stats returns the current load and limits.
func (m *Manager) Stats() Stats {
	inUse, waiting := m.cpu.inUse(), m.cpu.waiting()
	m.mu.Lock()
	defer m.mu.Unlock()
	return Stats{Sessions: len(m.sessions), Running: m.running, Queued: len(m.queue),
		Computing: int(m.cpu.active.Load()), Cores: m.cpu.cores, CPUInUse: inUse, CPUWaiting: waiting,
		MaxRunning: m.opt.MaxRunning, MaxQueued: m.opt.MaxQueued, MaxPerAddress: m.opt.MaxPerAddress,
		MaxFinished: m.opt.MaxFinished, MemoryBudget: m.opt.MaxMemory, MemoryUsed: m.memUsed, MemoryShared: m.memShared,
		CoreGFLOPS: m.opt.CoreGFLOPS, MaxStepMillis: int(maxStepTime / time.Millisecond), MaxCoreMin: m.opt.MaxCoreMinutes,
		StartLimit: m.opt.StartLimit, UploadLimit: m.opt.UploadLimit, Limits: m.lim}
}

// Shutdown stops every training and the comparisons' background work and
// waits for them to publish their final state, or for ctx to end.
func (m *Manager) Shutdown(ctx context.Context) error {
	m.mu.Lock()
	m.closed = true
	stores := slices.Clone(m.stores)
	mirrors := slices.Clone(m.replaced)
	for _, s := range m.sessions {
		if s.remote != nil {
			mirrors = append(mirrors, s.remote)
		}
	}
	m.mu.Unlock()
	for _, rr := range mirrors {
		rr.end(false)
	}
	m.stop(errShutdown)
	var errs []error
	for _, st := range stores {
		if err := st.Close(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	done := make(chan struct{})
	go func() {
		m.wg.Wait()
		m.waitHubs()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		errs = append(errs, ctx.Err())
	}
	m.closeStore()
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}
