package session

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"
)

// The door: every piece of work the server does for someone is admitted
// here, and only here. Admission reserves, under the manager's lock and all
// at once, what the work needs: the rate token of the caller's address (one
// per user action), room among the running or queued trainings, bytes of
// the memory budget and, to compute, turns of the one CPU pool. Everything
// reserved is released by defer, whatever happens (panics included).

// WorkKind says what a piece of work is; it picks the rate bucket, the
// default memory estimate and how long the work may wait for the CPU.
type WorkKind string

// Kinds of work.
const (
	WorkTraining WorkKind = "training" // admitted by Start, not Do
	WorkBaseline WorkKind = "baseline" // a comparison's PCA figure (the server's own work)
	WorkPCAFit   WorkKind = "pca_fit"  // PCA components fitted for a view
	WorkView     WorkKind = "view"     // running a snapshot: decode, encode, manifold, …
	WorkAnalysis WorkKind = "analysis" // seconds of CPU on a snapshot: features, pretraining, …
	WorkUpload   WorkKind = "upload"   // receiving and parsing an uploaded dataset
	WorkJoin     WorkKind = "join"     // joining a class: a rate token only (Allow)
	WorkImport   WorkKind = "import"   // receiving and reading a model file (ImportModel)
	WorkWeights  WorkKind = "weights"  // a run's live weights sent to another replica (the server's own work)
)

// Work is one piece of work asking to be admitted by Do.
type Work struct {
	Kind WorkKind
	// Addr is the address of the person asking (the HTTP layer's client
	// address); "" is the server's own work, which takes no rate token.
	Addr string
	// Memory is the most bytes the work holds at once; 0 means the kind's
	// default estimate. With Input set, it is what the input holds while
	// it arrives (0: nothing, it streams to disk), kept until the work ends.
	Memory int64
	// Wait bounds how long the work waits for a CPU turn; 0 means the
	// kind's default (20 s for a view, 25 s for an
	// analysis, as long as ctx lasts for the server's own work).
	Wait time.Duration
	// Input, when set, receives the work's input before it computes (an
	// upload's body): it runs once the rate token and the address's place
	// are taken, without memory or a CPU turn, and returns the bytes the
	// work then needs, which Do reserves with the CPU turn before f.
	Input func(ctx context.Context) (memory int64, err error)
}

// Default waits for a CPU turn, by kind.
var defaultWorkWait = map[WorkKind]time.Duration{
	WorkView:     20 * time.Second,
	WorkAnalysis: 25 * time.Second,
	WorkPCAFit:   25 * time.Second,
	WorkUpload:   25 * time.Second,
	WorkImport:   25 * time.Second,
}

// maxWorkPerAddr bounds the pieces of work (views, analyses, uploads) one
// address may have admitted or waiting for a turn at once.
const maxWorkPerAddr = 8

func (k WorkKind) what() string {
	switch k {
	case WorkJoin:
		return "attempts to join a class"
	case WorkImport:
		return "trainings started or models imported"
	case WorkUpload:
		return "uploads"
	case WorkAnalysis, WorkPCAFit:
		return "analyses"
	case WorkView:
		return "model views"
	}
	return "requests"
}

// Do admits w and runs f while holding one CPU turn; it returns f's error,
// or why w was not admitted: a rate-limit error (ERateLimited, with Retry),
// or EUnavailable when the memory budget, the address's share or the CPU
// cannot take it in time. A panic in f (or in w.Input) is returned as an
// EInternal error; whatever was reserved is given back in every case.
func (m *Manager) Do(ctx context.Context, w Work, f func(ctx context.Context) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			m.log.Error("work panicked", "kind", w.Kind, "panic", r, "stack", string(debug.Stack()))
			err = &Error{Code: EInternal, Message: fmt.Sprintf("the %s crashed; this is a bug, please report it", w.Kind), Err: fmt.Errorf("panic: %v", r)}
		}
	}()
	mem := w.Memory
	if mem <= 0 {
		mem = defaultWorkMemory[w.Kind]
	}
	if w.Input != nil {
		// The input arrives first, holding the rate token and the
		// address's place but neither memory nor a CPU turn; then the
		// memory it says it needs is reserved with the turn.
		leave, _, err := m.reserve(w, max(w.Memory, 0))
		if err != nil {
			return err
		}
		defer leave()
		if mem, err = w.Input(ctx); err != nil {
			return err
		}
		w.Addr = "" // the token is taken
	}
	release, err := m.admit(ctx, w, mem)
	if err != nil {
		return err
	}
	defer release()
	if testHookWork != nil {
		testHookWork(w)
	}
	return f(ctx)
}

// testHookWork, when set by a test, runs inside every admitted Do (to
// inject faults).
var testHookWork func(Work)

// track counts a goroutine of the server's own work that outlives the
// call that starts it (a mirror's fetch of live weights, an answer to
// one) in the manager's WaitGroup, so that Shutdown waits for it; once
// the manager is shutting down it refuses. done is called once, by defer.
func (m *Manager) track() (done func(), err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, m.refuse(RefusedShutdown, Errorf(EUnavailable, "the server is shutting down; try again in a minute"))
	}
	m.wg.Add(1)
	return m.wg.Done, nil
}

// Allow takes one rate token of kind k for addr, for an action that
// computes nothing worth a CPU turn (joining a class); it returns the
// rate-limit error (ERateLimited, with Retry) when none is left.
func (m *Manager) Allow(addr string, k WorkKind) error {
	class, ok := k.rateClass()
	if !ok {
		return nil
	}
	if _, err := m.limiter.take(addr, class, k.what()); err != nil {
		return m.refuse(RefusedRateLimit, err)
	}
	return nil
}

// reserve takes, at once under the lock, what w needs besides the CPU: a
// place among its address's work, mem bytes of the budget and its rate
// token (none for the server's own work, whose Addr is ""). It returns the
// function that gives back the place and the memory, and the token, which
// the caller cancels if the work is not admitted after all.
func (m *Manager) reserve(w Work, mem int64) (func(), reservation, error) {
	owner := ""
	if w.Addr != "" {
		owner = addrKey(w.Addr)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, reservation{}, m.refuse(RefusedShutdown, Errorf(EUnavailable, "the server is shutting down; try again in a minute"))
	}
	if mem > m.opt.MaxMemory {
		return nil, reservation{}, m.refuse(RefusedTooLarge, Errorf(EInvalid, "this %s needs about %s of memory, more than this server's whole budget of %s: ask for less", w.Kind, Bytes(mem), Bytes(m.opt.MaxMemory)))
	}
	if owner != "" && m.workBy[owner] >= maxWorkPerAddr {
		return nil, reservation{}, m.refuse(RefusedPerAddress, Errorf(EUnavailable, "your address already has %d requests computing or waiting for the CPU, the most one address may have; wait for them to finish", maxWorkPerAddr))
	}
	if free := m.opt.MaxMemory - m.memUsed; mem > free {
		return nil, reservation{}, m.refuse(RefusedMemory, Errorf(EUnavailable, "the server's memory is taken: this %s needs about %s, and %s is free of a %s budget; try again in a minute", w.Kind, Bytes(mem), Bytes(max(free, 0)), Bytes(m.opt.MaxMemory)))
	}
	var tok reservation
	if class, ok := w.Kind.rateClass(); ok {
		var err error
		if tok, err = m.limiter.take(w.Addr, class, w.Kind.what()); err != nil {
			return nil, reservation{}, m.refuse(RefusedRateLimit, err)
		}
	}
	m.memUsed += mem
	m.workBy[owner]++
	return func() {
		m.mu.Lock()
		m.memUsed -= mem
		if m.workBy[owner]--; m.workBy[owner] <= 0 {
			delete(m.workBy, owner)
		}
		m.dispatchLocked() // the memory may let a queued training start
		m.mu.Unlock()
	}, tok, nil
}

// admit reserves what w needs, mem bytes and a CPU turn included, and
// returns the function that gives it all back.
func (m *Manager) admit(ctx context.Context, w Work, mem int64) (func(), error) {
	giveBack, tok, err := m.reserve(w, mem)
	if err != nil {
		return nil, err
	}
	wait := w.Wait
	if wait <= 0 {
		wait = defaultWorkWait[w.Kind]
	}
	wctx := ctx
	if wait > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, wait)
		defer cancel()
	}
	if err := m.cpu.acquire(wctx, true); err != nil {
		giveBack()
		tok.cancel()
		if ctx.Err() != nil {
			return nil, m.refuse(RefusedCPUWait, Errorf(EUnavailable, "the request was cancelled while it waited for the CPU"))
		}
		return nil, m.refuse(RefusedCPUWait, Errorf(EUnavailable, "the server is busy: this %s waited %s for the CPU in vain; try again in a minute", w.Kind, wait.Round(time.Second)))
	}
	m.cpu.active.Add(1)
	return func() {
		m.cpu.active.Add(-1)
		m.cpu.release(true)
		giveBack()
	}, nil
}
