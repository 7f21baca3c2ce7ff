package session

import (
	"strings"
	"testing"
)

// TestPanicInOneTrainingFailsOnlyThatOne injects a panic into one of two
// trainings: it ends failed with a message, the other completes, and the
// manager goes on taking new sessions.
func TestPanicInOneTrainingFailsOnlyThatOne(t *testing.T) {
	const doomed = 666
	testHookStep = func(seed uint64, step int) {
		if (seed == doomed || seed == doomed+1) && step == 5 {
			panic("injected fault")
		}
	}
	t.Cleanup(func() { testHookStep = nil })
	m := newTestManager(t, Options{Cores: 2})
	bad := small()
	bad.Seed = doomed
	a, _, err := m.Create(bad)
	if err != nil {
		t.Fatal(err)
	}
	bad.Seed = doomed + 1 // a second fault: CPU slots must not leak with the panics
	a2, _, err := m.Create(bad)
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, a2)
	b, _, err := m.Create(small())
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, a)
	waitDone(t, b)
	if in := a.Info(); in.State != Failed || !strings.Contains(in.Error, "injected fault") || !strings.Contains(in.Error, "bug") {
		t.Fatalf("faulty training: %s %q, want failed naming the panic", in.State, in.Error)
	}
	if b.State() != Completed {
		t.Fatalf("the other training ended %s", b.State())
	}
	c, _, err := m.Create(small())
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, c)
	if c.State() != Completed {
		t.Fatalf("a training after the fault ended %s", c.State())
	}
	// The failed session's stream still ends with its state.
	msgs := collect(t, a.Subscribe(), 5e9)
	if st := msgs[0]["state"].(map[string]any); st["state"] != string(Failed) {
		t.Fatalf("snapshot state %v", st)
	}
}
