package session

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"
)

// ImportModel admits the import of a model file from addr through the
// door: one start against the address's rate limit before read receives
// the file (declared bytes, the most it may be, are reserved while it
// arrives), then the memory its decoding needs and a CPU turn to decode
// and check it, then Import, which reserves the memory of the model it
// builds. Whatever does not fit the memory budget is refused with
// EUnavailable (EInvalid when larger than the whole budget) and a message
// that says how much it needs.
func (m *Manager) ImportModel(ctx context.Context, addr string, declared int64, read func(ctx context.Context) ([]byte, error)) (*Session, string, error) {
	var (
		data  []byte
		s     *Session
		token string
	)
	receive := func(ctx context.Context) (int64, error) {
		var err error
		data, err = read(ctx)
		// safetensors.Read's tensors and the weights in the engine's layout.
		return 2*int64(len(data)) + 1<<20, err
	}
	err := m.Do(ctx, Work{Kind: WorkImport, Addr: addr, Memory: declared, Input: receive}, func(context.Context) error {
		mf, err := m.ReadModel(data)
		if err != nil {
			return err
		}
		data = nil
		s, token, err = m.Import("", mf) // the token is taken
		return err
	})
	return s, token, err
}

// importMemory estimates the bytes evaluating an imported model holds: a
// training's (its trainer is built whole) and the file's weights, kept
// until they are loaded.
func importMemory(c Config, k, nTrain, nTest, params int) int64 {
	return trainingMemory(c, k, nTrain, nTest) + 4*int64(params)
}

// Import creates a completed session from a decoded model file: nothing is
// trained, but its test loss, latent scatter and reconstructions are
// computed once, and the latent explorer and the labs work on it as on a
// trained one. An import from addr is one start against its rate limit
// (none from ""), and the memory of its evaluation is reserved in the
// budget until it ends. It returns the session and its owner token.
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
	free, _, err := m.reserve(Work{Kind: WorkImport, Addr: addr},
		importMemory(c, info.Features, orAll(c.TrainSize, info.TrainSize), orAll(c.TestSize, info.TestSize), len(mf.Params)))
	if err != nil {
		return nil, "", err
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		free()
		return nil, "", Errorf(EUnavailable, "the server is shutting down; try again in a minute")
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
		defer free()
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
		defer tr.release()
		tr.testPoint()
	}()
	t = tr
	s.finish(t, Completed, "")
}
