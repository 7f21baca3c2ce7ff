// The end of a training: the final picture in a CPU turn of its own and
// everything pending handed to the hub before the terminal state.

package session

import (
	"context"
	"time"
)

// finishWait bounds how long the final evaluation waits for a CPU turn; if
// it gets none (a shutdown, a crowded machine), the run ends without it.
const finishWait = 2 * time.Second

// finish publishes the final picture and the terminal state, and returns
// once the hub has ended the stream with it. t is nil when
// the training never started. The final evaluation takes a CPU turn like a
// training step, released by defer; a failed run skips it (its model may be
// what failed), so finish never waits for a slot it cannot get.
func (s *Session) finish(t *trainer, st State, msg string) {
	if t != nil {
		if st != Failed {
			t.finalPicture(st)
			t.finalWeights(st)
		}
		t.m.holdKeyframes(s)
		func() {
			defer func() { recover() }() // the stream must still end with the state
			t.flushAll()
		}()
	}
	s.setState(st, msg)
	// The session is done (Done, closed when this returns) only once its
	// stream is: the hub has applied every event before the terminal state
	// and frozen its history. A viewer who comes after Done then gets the
	// whole run, final frames and state, in its snapshot; before, the hub
	// could still be applying earlier events and took such a viewer between
	// two of them. The hub never blocks, so this wait is short.
	<-s.hub.done
}

// finalPicture evaluates the model one last time in a CPU turn of its own.
func (t *trainer) finalPicture(st State) {
	ctx, cancel := context.WithTimeout(context.Background(), finishWait)
	defer cancel()
	if t.cpu.acquire(ctx, false) != nil {
		return
	}
	defer t.release()
	defer func() {
		if r := recover(); r != nil { // a broken model must not hide the state
			t.s.log.Error("final evaluation panicked", "session", t.s.id, "panic", r)
		}
	}()
	if testHookFinish != nil {
		testHookFinish(t.s.cfg.Seed)
	}
	if st == Completed && t.step%t.stepsPerEpoch != 0 {
		t.testPoint()
	}
	t.final = true
	t.heavy()
	t.s.snap.Store(t.model.Snapshot())
}

// finalWeights queues the run's final weights for the store. They need no
// CPU turn (a copy), so a run ends with them even when its final picture
// got none. An epoch's end was just saved, unless it is the last or the
// store's writer had no room for it then (ckptDue).
func (t *trainer) finalWeights(st State) {
	defer func() {
		if r := recover(); r != nil { // a broken model must not hide the state
			t.s.log.Error("final weights panicked", "session", t.s.id, "panic", r)
		}
	}()
	if t.step%t.stepsPerEpoch != 0 || st == Completed || t.ckptDue {
		t.checkpoint(true)
	}
}

// flushAll hands every pending loss point and the final progress to the
// hub, waiting for room: the stream is about to end.
func (t *trainer) flushAll() {
	now := time.Now()
	if t.lossN > 0 {
		t.flushTrainPoint()
	}
	if len(t.pendingTrain)+len(t.pendingTest) > 0 {
		t.s.hub.publishWait(hubEvent{loss: &LossBatch{Train: t.pendingTrain, Test: t.pendingTest}})
		t.pendingTrain, t.pendingTest = nil, nil
	}
	if t.pendingMetrics != nil {
		t.s.hub.publishWait(hubEvent{metrics: &Metrics{Points: t.pendingMetrics}})
		t.pendingMetrics = nil
	}
	if t.pendingAnomaly != nil {
		t.s.hub.publishWait(hubEvent{anomaly: t.pendingAnomaly})
		t.pendingAnomaly = nil
	}
	if len(t.pendingChanges) > 0 {
		t.s.hub.publishWait(hubEvent{changes: t.pendingChanges})
		t.pendingChanges = nil
	}
	// The final figure is the whole run's average throughput.
	if t.runTime > 0 && t.step > 0 {
		t.samplesPerSec = float64(t.step*t.samplesPerStep) / t.runTime.Seconds()
	}
	p := t.progress(now)
	t.s.mu.Lock()
	t.s.epoch, t.s.step = p.Epoch, t.step
	t.s.mu.Unlock()
	t.s.hub.publishWait(hubEvent{progress: &p})
}
