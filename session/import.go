package session

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"
)

// Import creates a completed session from a decoded model file: nothing is
// trained, but its test loss, latent scatter and reconstructions are
// computed once, and the latent explorer and the labs work on it as on a
// trained one. An import from addr is one start against its rate limit.
// It returns the session and its owner token.
func (m *Manager) Import(addr string, mf *ModelFile) (*Session, string, error) {
	c := mf.Config
	info, err := m.reg.Info(c.Dataset)
	if err != nil {
		return nil, "", Errorf(EInvalid, "unknown dataset %q", c.Dataset)
	}
	token := newToken() // the caller's; the session keeps its hash
	s := &Session{
		id: newID(), token: OwnerOf(token), cfg: c, summary: Summarize(c, info.Features),
		created: time.Now(), log: m.log, wake: make(chan struct{}, 1), done: make(chan struct{}),
		state: Queued, imported: true,
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, "", Errorf(EUnavailable, "the server is shutting down; try again in a minute")
	}
	if _, err := m.limiter.take(addr, rateStart, "trainings started or models imported"); err != nil {
		m.mu.Unlock()
		return nil, "", err
	}
	for m.sessions[s.id] != nil {
		s.id = newID()
	}
	s.ctx, s.cancel = context.WithCancelCause(m.base)
	m.registerLocked(s)
	m.wg.Add(1)
	m.mu.Unlock()

	go func() {
		defer m.wg.Done()
		s.runImported(m, mf)
	}()
	m.log.Info("model imported", "session", s.id, "dataset", c.Dataset, "sizes", Arrow(s.summary.Sizes))
	return s, token, nil
}

// runImported evaluates imported weights once (in a CPU turn) and ends the
// session as completed.
func (s *Session) runImported(m *Manager, mf *ModelFile) {
	defer close(s.done)
	var t *trainer
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("import panicked", "session", s.id, "panic", r, "stack", string(debug.Stack()))
			s.finish(t, Failed, fmt.Sprintf("evaluating the imported model crashed (%v); this is a bug, please report it", r))
		}
	}()
	tr, err := newTrainer(s, m)
	if err != nil {
		s.finish(nil, Failed, err.Error())
		return
	}
	tr.model.SetParams(mf.Params, mf.Step)
	tr.totalSteps, tr.epochs = 0, 0
	if err := tr.cpu.acquire(s.ctx, false); err != nil {
		s.finish(nil, Stopped, stopReason(s.ctx))
		return
	}
	func() {
		defer tr.cpu.release(false)
		tr.testPoint()
	}()
	t = tr
	s.finish(t, Completed, "")
}
