package session

import (
	"testing"
	"time"
)

// TestTrainingsShareTheCPUFairly starts more trainings than there are cores
// and checks that every one of them advances, at similar speeds.
func TestTrainingsShareTheCPUFairly(t *testing.T) {
	m := newTestManager(t, Options{Cores: 2})
	long := small()
	long.TrainSize, long.Epochs, long.TestSize, long.Bottleneck = 60000, 20, 200, 8
	var all []*Session
	for i := 0; i < 8; i++ {
		long.Seed = uint64(i)
		s, _, err := m.Create(long)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, s)
	}
	for _, s := range all {
		waitState(t, s, Running)
	}
	start := make([]int, len(all))
	for i, s := range all {
		start[i] = s.Info().Step
	}
	time.Sleep(3 * time.Second)
	lo, hi := 1<<30, 0
	for i, s := range all {
		d := s.Info().Step - start[i]
		lo, hi = min(lo, d), max(hi, d)
	}
	t.Logf("steps in 3 s per training: min %d, max %d", lo, hi)
	if lo == 0 {
		t.Fatal("a training made no progress while others ran")
	}
	if float64(lo) < 0.3*float64(hi) {
		t.Fatalf("unfair sharing: slowest %d steps, fastest %d", lo, hi)
	}
	if n := m.cpu.active.Load(); n != int32(len(all)) {
		t.Fatalf("active trainings = %d, want %d", n, len(all))
	}
	for _, s := range all {
		_ = s.Stop()
	}
	for _, s := range all {
		waitDone(t, s)
	}
	if n := m.cpu.active.Load(); n != 0 {
		t.Fatalf("active trainings after stop = %d", n)
	}
}
