package session

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
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

// phaseFault makes the training with seed doomed panic at the nth call of
// the given phase ("step" at step n, "test" and "heavy" at their nth call,
// "finish" in the final evaluation).
func phaseFault(t *testing.T, doomed uint64, phase string, n int) {
	var mu sync.Mutex
	calls := 0
	hit := func() bool {
		mu.Lock()
		defer mu.Unlock()
		calls++
		return calls == n
	}
	switch phase {
	case "step":
		testHookStep = func(seed uint64, step int) {
			if seed == doomed && step == n {
				panic("injected fault at step")
			}
		}
	case "finish":
		testHookFinish = func(seed uint64) {
			if seed == doomed {
				panic("injected fault at finish")
			}
		}
	default:
		testHookPhase = func(seed uint64, p string) {
			if seed == doomed && p == phase && hit() {
				panic("injected fault at " + phase)
			}
		}
	}
	t.Cleanup(func() { testHookStep, testHookPhase, testHookFinish = nil, nil, nil })
}

// TestFaultAtEveryPhaseKeepsThePool injects a panic into one training at
// each phase of its life (its first step, its first turn's test point and
// heavy update, a later evaluation, a later heavy update, the final
// evaluation) on a one-core pool — where a leaked slot would stop everything.
// After each, the pool has all its slots, another training completes, and
// shutdown takes under 5 s.
func TestFaultAtEveryPhaseKeepsThePool(t *testing.T) {
	const doomed = 4242
	cases := []struct {
		name, phase string
		n           int
		want        State
	}{
		{"first step", "step", 0, Failed},
		{"first turn's test point", "test", 1, Failed},
		{"first turn's heavy update", "heavy", 1, Failed},
		{"an epoch's evaluation", "test", 2, Failed},
		{"a later heavy update", "heavy", 2, Failed},
		{"the final evaluation", "finish", 0, Completed}, // the run did complete; only its last picture is lost
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			phaseFault(t, doomed, tc.phase, tc.n)
			m := NewManager(Options{Datasets: testRegistry, Cores: 1})
			bad := small()
			bad.Seed = doomed
			a, _, err := m.Create(bad)
			if err != nil {
				t.Fatal(err)
			}
			b, _, err := m.Create(small())
			if err != nil {
				t.Fatal(err)
			}
			waitDone(t, a)
			waitDone(t, b)
			if in := a.Info(); in.State != tc.want || (tc.want == Failed && !strings.Contains(in.Error, "injected fault")) {
				t.Fatalf("faulty training: %s %q, want %s", in.State, in.Error, tc.want)
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
			if n := m.cpu.inUse(); n != 0 {
				t.Fatalf("%d CPU slots still held after every training ended", n)
			}
			if st := m.Stats(); st.Running != 0 || st.Queued != 0 || st.MemoryUsed != 0 {
				t.Fatalf("after the runs: %+v; want nothing running, queued or reserved", st)
			}
			long := small()
			long.TrainSize, long.Epochs = 60000, 20
			d, _, err := m.Create(long)
			if err != nil {
				t.Fatal(err)
			}
			waitState(t, d, Running)
			start := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := m.Shutdown(ctx); err != nil {
				t.Fatalf("shutdown after the fault: %v (took %v)", err, time.Since(start))
			}
		})
	}
}

// TestFaultInAViewKeepsThePool: a view (any work admitted by Do) that
// panics returns an internal error, and gives back its CPU turn, its memory
// and its address's place.
func TestFaultInAViewKeepsThePool(t *testing.T) {
	m := newTestManager(t, Options{Cores: 1})
	testHookWork = func(w Work) {
		if w.Addr == "10.0.0.66" {
			panic("injected fault in a view")
		}
	}
	t.Cleanup(func() { testHookWork = nil })
	for range maxWorkPerAddr + 2 { // more than the address's share: each was given back
		err := m.Do(context.Background(), Work{Kind: WorkView, Addr: "10.0.0.66"}, func(context.Context) error { return nil })
		if ErrorCode(err) != EInternal || !strings.Contains(ErrorMessage(err), "bug") {
			t.Fatalf("faulty view: %v, want an internal error", err)
		}
	}
	if n := m.cpu.inUse(); n != 0 {
		t.Fatalf("%d CPU slots held after the faulty views", n)
	}
	if st := m.Stats(); st.MemoryUsed != 0 {
		t.Fatalf("%d bytes still reserved", st.MemoryUsed)
	}
	ran := false
	if err := m.Do(context.Background(), Work{Kind: WorkView, Addr: "10.0.0.7"}, func(context.Context) error { ran = true; return nil }); err != nil || !ran {
		t.Fatalf("a view after the faults: %v", err)
	}
	s, _, err := m.Create(small())
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, s)
	if s.State() != Completed {
		t.Fatalf("a training after the faulty views ended %s", s.State())
	}
}
