// Stepping a paused run: its owner asks for a few batches, the paused
// trainer queues for a running slot, trains them in CPU turns and publishes
// every view after the last; the run stays paused.

package session

import (
	"context"
	"errors"
	"slices"
	"time"
)

// MaxStepBatches bounds one POST /api/sessions/{id}/step.
const MaxStepBatches = 1000

// pendingPauseWait bounds how long a step waits for a pause asked just
// before it to take effect (the trainer ends its turn first: a step is at
// most a quarter of a second, but the turn may wait for a core).
const pendingPauseWait = 5 * time.Second

// StepResult is the answer to a step: the step the run is at afterwards and
// the training loss of each batch trained.
type StepResult struct {
	Step    int       `json:"step"`
	Epoch   float64   `json:"epoch"`
	Batches int       `json:"batches"`
	Losses  []float64 `json:"losses"`
}

// stepReq is a step asked of a paused trainer; done is closed when it has
// been trained (or the run ended), with res filled in.
type stepReq struct {
	n    int
	res  StepResult
	done chan struct{}
}

// Step trains n batches of a paused run and publishes every view after
// them (loss, latent scatter, reconstructions); the run stays paused. It
// waits for the batches, until ctx ends (the training goes on anyway). The
// batches take CPU turns like any training, after a running slot.
func (s *Session) Step(ctx context.Context, n int) (StepResult, error) {
	// Checked here as well as by the handler: a step relayed on the bus
	// reaches this replica's session without it (a count below 1 crashed
	// the trainer).
	if fe := CheckStepBatches(n); len(fe) > 0 {
		return StepResult{}, fe.Err()
	}
	if s.remote != nil {
		rep, err := s.relay(ctx, RunRequest{Action: "step", Batches: n})
		if errors.Is(err, ErrNoTrainer) {
			return StepResult{}, Errorf(EConflict, "session %s is %s: only a paused training can be stepped (pause it first)", s.id, s.State())
		}
		if rep.Step == nil {
			return StepResult{}, err
		}
		return *rep.Step, err
	}
	s.mu.Lock()
	// A pause asked for but not yet taken (the trainer finishes its turn
	// first): wait for it, so that pause then step works from a script.
	for deadline := time.Now().Add(pendingPauseWait); s.state == Running && s.pauseReq && time.Now().Before(deadline); {
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return StepResult{}, Errorf(EUnavailable, "the request ended while the pause of session %s was taking effect", s.id)
		case <-s.done:
			return StepResult{}, Errorf(EConflict, "session %s ended before its step could train", s.id)
		case <-time.After(5 * time.Millisecond):
		}
		s.mu.Lock()
	}
	switch {
	case s.state != Paused || !s.pauseReq:
		st := s.state
		s.mu.Unlock()
		return StepResult{}, Errorf(EConflict, "session %s is %s: only a paused training can be stepped (pause it first)", s.id, st)
	case s.stepping != nil:
		s.mu.Unlock()
		return StepResult{}, Errorf(EConflict, "session %s is still training the batches of a previous step; wait for it", s.id)
	case s.totalSteps > 0 && n > s.totalSteps-s.step:
		left := s.totalSteps - s.step
		s.mu.Unlock()
		return StepResult{}, fieldErr("batches", "only %d batches of this run remain; ask for at most that many", left)
	}
	r := &stepReq{n: n, done: make(chan struct{})}
	s.stepping = r
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	select {
	case <-r.done:
		if r.res.Batches == 0 {
			return r.res, Errorf(EConflict, "session %s ended before its step could train", s.id)
		}
		return r.res, nil
	case <-s.done:
		return StepResult{}, Errorf(EConflict, "session %s ended before its step could train", s.id)
	case <-ctx.Done():
		return StepResult{}, Errorf(EUnavailable, "the request ended before the step's batches were trained; they train anyway")
	}
}

// CheckStepBatches checks the batch count of a step.
func CheckStepBatches(n int) FieldErrors {
	var fe FieldErrors
	if n < 1 || n > MaxStepBatches {
		fe.add("batches", "batches must be between 1 and %d, got %d", MaxStepBatches, n)
	}
	return fe
}

// fieldErr is a validation error naming one field.
func fieldErr(field, format string, args ...any) error {
	var fe FieldErrors
	fe.add(field, format, args...)
	return fe.Err()
}

// queues for a running slot like a resumed run, trains in CPU turns of one
// slice, publishes every view after the last batch, and gives the slot back;
// the run stays paused. It reports false when the run must end (stopped, or
// failed: then t.failed says why).
func (t *trainer) stepPaused(r *stepReq) bool {
	s := t.s
	defer func() {
		s.mu.Lock()
		s.stepping = nil
		s.mu.Unlock()
		close(r.done)
	}()
	t.m.requeue(s.tk)
	if t.m.waitTurn(s.ctx, s.tk) != nil {
		return false
	}
	t.setActive(true)
	defer func() {
		t.setActive(false)
		t.m.yield(s.tk)
	}()
	until := min(t.step+r.n, t.totalSteps)
	from := t.step
	t.stepLosses = make([]float64, 0, until-from)
	defer func() { t.stepLosses = nil }()
	t.rateTime, t.rateStep = time.Now(), t.step
	for t.step < until {
		end, msg := t.stepTurn(until)
		switch end {
		case Stopped:
			return false
		case Failed:
			t.failed = msg
			return false
		}
	}
	r.res = StepResult{Step: t.step, Epoch: t.epochAt(t.step), Batches: t.step - from, Losses: slices.Clone(t.stepLosses)}
	return true
}

// stepTurn is one CPU turn of a step: it trains towards step until and,
// once there, publishes the loss points, progress, latent scatter,
// reconstructions and fresh weights for the views.
func (t *trainer) stepTurn(until int) (State, string) {
	if err := t.cpu.acquire(t.s.ctx, false); err != nil {
		return Stopped, stopReason(t.s.ctx)
	}
	defer t.release()
	start := time.Now()
	defer func() { t.runTime += time.Since(start) }()
	end, msg := t.slice(start, until, true)
	if end != Running {
		return end, msg
	}
	if t.step == until {
		t.light(time.Now(), true)
		t.heavy()
		t.s.snap.Store(t.model.Snapshot())
	}
	return Running, ""
}
