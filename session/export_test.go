package session

import (
	"testing"
	"time"
)

// SetStepHook makes f run before every training step (with the session's
// seed and step count) until the test ends: how the external tests stop a
// training at a chosen step.
func SetStepHook(t testing.TB, f func(seed uint64, step int)) {
	testHookStep = f
	t.Cleanup(func() { testHookStep = nil })
}

// SetMirrorCheck shortens the mirrors' check (mirrorcheck.go) for a test;
// call it before ServeJobs.
func SetMirrorCheck(t testing.TB, every, quiet time.Duration) {
	oldEvery, oldQuiet := mirrorCheckEvery, mirrorQuiet
	mirrorCheckEvery, mirrorQuiet = every, quiet
	// Restored after the test's managers (made later, so cleaned up
	// first) have stopped: their checks read these.
	t.Cleanup(func() { mirrorCheckEvery, mirrorQuiet = oldEvery, oldQuiet })
}

// SetQueueCheck shortens the check of the queue (queuelost.go) until the
// test ends; call it before ServeJobs.
func SetQueueCheck(t testing.TB, every time.Duration) {
	old := queueCheckEvery
	queueCheckEvery = every
	t.Cleanup(func() { queueCheckEvery = old })
}

// SetLiveFetchWait shortens how long a mirror waits for a run's live
// weights (liveweights.go) until the test ends.
func SetLiveFetchWait(t testing.TB, d time.Duration) {
	old := liveFetchWait
	liveFetchWait = d
	t.Cleanup(func() { liveFetchWait = old })
}

// FillWeightBudget makes m's store writer count its whole checkpoint
// budget as taken (as if other runs' weights waited), so that an epoch's
// checkpoint is declined, until the returned func is called.
func FillWeightBudget(m *Manager) (release func()) {
	r := m.rec
	r.mu.Lock()
	r.weights += maxPendingWeights
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		r.weights -= maxPendingWeights
		r.mu.Unlock()
	}
}
