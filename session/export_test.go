package session

import "testing"

// SetStepHook makes f run before every training step (with the session's
// seed and step count) until the test ends: how the external tests stop a
// training at a chosen step.
func SetStepHook(t testing.TB, f func(seed uint64, step int)) {
	testHookStep = f
	t.Cleanup(func() { testHookStep = nil })
}
