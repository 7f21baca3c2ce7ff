package lab

import (
	"context"
	"time"

	"github.com/aelab/aelab/session"
)

// Analyse runs f, an analysis that takes seconds of CPU (feature
// extraction, the pretraining comparison, a PCA fit), as work of kind
// admitted by the door for the person at addr: a rate token of the
// address, a share of the memory budget, and a turn of the CPU pool shared
// with the trainings (which keep their turns: other work holds at most
// half the cores).
func (rn *Runner) Analyse(ctx context.Context, addr string, kind session.WorkKind, f func(ctx context.Context) error) error {
	return rn.m.Do(ctx, session.Work{Kind: kind, Addr: addr}, f)
}

// ModelWait is how long a few-label analysis waits for the first weights of
// a session that has not taken a step yet (outside its analysis slot).
const ModelWait = 10 * time.Second

// WaitForModel waits until s has weights to analyse, so that a queued
// session does not hold an analysis slot while it waits.
func WaitForModel(ctx context.Context, s *session.Session) error {
	ctx, cancel := context.WithTimeout(ctx, ModelWait)
	defer cancel()
	_, err := s.Snapshot(ctx)
	return err
}
