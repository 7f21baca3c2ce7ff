// The turn loop of a training: turns of one CPU slot each, the steps of a
// slice, and the pause that gives the slot and the running slot back.

package session

import (
	"fmt"
	"math"
	"time"
)

// loop trains until the last step or until stopped, and returns how it ended.
// It computes in turns of one slice, each holding a CPU slot (see cpuPool).
func (t *trainer) loop() (State, string) {
	s := t.s
	s.mu.Lock()
	s.totalSteps = t.totalSteps
	s.mu.Unlock()
	s.setState(Running, "")
	t.setActive(true)
	defer t.setActive(false)
	t.rateTime = time.Now()
	first := true
	for t.step < t.totalSteps {
		end, msg := t.turn(first)
		first = false
		switch end {
		case Stopped, Failed:
			return end, msg
		case Paused:
			if !t.pause() {
				if t.failed != "" {
					return Failed, t.failed
				}
				return Stopped, stopReason(s.ctx)
			}
			t.rateTime, t.rateStep = time.Now(), t.step
		}
	}
	return Completed, ""
}

// setActive counts the trainer among the computations that want the CPU,
// or no longer.
func (t *trainer) setActive(on bool) {
	if on == t.active {
		return
	}
	t.active = on
	if on {
		t.cpu.active.Add(1)
	} else {
		t.cpu.active.Add(-1)
	}
}

// turn takes a CPU slot, runs one slice (the first turn also publishes the
// starting point; a turn that ends in a pause publishes the paused model)
// and gives the slot back, even if something in it panics (the panic then
// fails this session alone).
func (t *trainer) turn(first bool) (State, string) {
	if err := t.cpu.acquire(t.s.ctx, false); err != nil {
		return Stopped, stopReason(t.s.ctx)
	}
	defer t.release()
	start := time.Now()
	defer func() { t.runTime += time.Since(start) }()
	if first {
		if !t.resumed { // a resumed run has its test point at the checkpoint
			t.testPoint()
		}
		t.heavy()
		t.light(start, true)
	}
	end, msg := t.slice(start, t.totalSteps, false)
	if end == Paused {
		t.light(time.Now(), true)
		t.heavy()
		t.s.snap.Store(t.model.Snapshot()) // explorers keep working while paused
	}
	return end, msg
}

// slice trains for one time slice, up to step until at most. It returns
// Running when the slice (or the training) is over, Paused when the owner
// asked for a pause (not checked while stepping a paused run), and Stopped
// or Failed (with a message) when the training must end.
func (t *trainer) slice(start time.Time, until int, stepping bool) (State, string) {
	s := t.s
	t.model.SetWorkers(t.cpu.workers())
	deadline := start.Add(slice)
	// Every turn starts with news for the viewers, so that with many
	// trainings sharing the CPU each still reports at every turn.
	if start.Sub(t.lastLight) >= lightEvery {
		t.light(start, false)
	}
	for t.step < until {
		if s.ctx.Err() != nil {
			return Stopped, stopReason(s.ctx)
		}
		if !stepping && t.pauseRequested() {
			return Paused, ""
		}
		t.applySettings()
		if testHookStep != nil {
			testHookStep(s.cfg.Seed, t.step)
		}
		x, n := t.batcher.Next()
		in := x
		for _, ms := range t.labs {
			in = ms.Inputs(in)
		}
		loss := t.model.TrainStep(in, x, n) // the objective, penalties included
		t.step++
		t.m.trained(n)
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return Failed, fmt.Sprintf("the loss became %v at step %d: the learning rate (%g) is probably too high for this network; try one ten times smaller",
				loss, t.step, t.model.LearningRate())
		}
		t.addTrainLoss()
		if t.lossN == t.pointEvery || t.step%t.stepsPerEpoch == 0 {
			t.flushTrainPoint()
		}
		now := time.Now()
		// Views that run the model on demand (the latent explorer) asked
		// for fresh weights: a copy costs far less than a step.
		if now.Sub(t.lastSnap) >= snapEvery && s.wantSnap.Swap(false) {
			s.snap.Store(t.model.Snapshot())
			t.lastSnap = now
		}
		if t.step%t.stepsPerEpoch == 0 {
			t.testPoint()
			t.heavy()
			t.light(now, true)
			t.ckptDue = !t.checkpoint(false)
		} else {
			if now.Sub(t.lastLight) >= lightEvery {
				t.light(now, false)
			}
			if t.ckptDue { // the store's writer had no room at the epoch's end
				t.ckptDue = !t.checkpoint(false)
			}
			if t.keyframeDue() {
				t.heavy()
			} else if now.Before(deadline) && now.Sub(t.lastHeavy) >= heavyEvery && s.Watchers() > 0 &&
				t.heavyTime.Seconds() <= heavyShare*(t.runTime+now.Sub(start)).Seconds() {
				t.heavy()
			}
		}
		if now.After(deadline) {
			break
		}
	}
	return Running, ""
}

func (t *trainer) pauseRequested() bool {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	return t.s.pauseReq
}

// pause holds the trainer until resumed (true) or stopped (false). While
// paused it holds no running slot and no CPU turn (its model, and so its
// memory, it keeps); on resume it queues for a slot again.
func (t *trainer) pause() bool {
	s := t.s
	s.mu.Lock()
	if !s.pauseReq { // resumed before we got here
		s.mu.Unlock()
		return true
	}
	s.mu.Unlock()
	t.setActive(false)
	t.m.yield(s.tk)
	s.setState(Paused, "")
	for {
		s.mu.Lock()
		resume := !s.pauseReq
		step := s.stepping
		s.mu.Unlock()
		if step != nil {
			if !t.stepPaused(step) {
				return false
			}
			continue
		}
		if resume {
			break
		}
		var retry <-chan time.Time
		if t.ckptDue { // the epoch's checkpoint had no room: ask again while paused
			retry = time.After(flushEvery)
		}
		select {
		case <-s.ctx.Done():
			return false
		case <-s.wake:
		case <-retry:
			t.ckptDue = !t.checkpoint(false)
		}
	}
	t.m.requeue(s.tk)
	t.m.mu.Lock()
	ready := s.tk.ready
	t.m.mu.Unlock()
	select {
	case <-ready:
	default:
		s.setState(Queued, "") // every running slot is taken: wait in line
	}
	if t.m.waitTurn(s.ctx, s.tk) != nil {
		return false
	}
	s.setState(Running, "")
	t.setActive(true)
	return true
}
