package session

import (
	"testing"
)

// TestSharedBlocksAdmitAClass: thirty AE-S trainings (784-256-50-256-784,
// batch 64) on a two-slot server share their gradient and batch blocks, so
// a budget of thirty trainings' own bytes plus the shared part (two
// computing blocks, two idle, the checkpoints on their way) admits all
// thirty at once, and the thirty-first waits in the queue for memory; the
// reservation is the estimate exactly, its shared part is reported, and all
// of it is given back when they end. With a block reserved per training,
// as before, the same budget admitted fewer.
func TestSharedBlocksAdmitAClass(t *testing.T) {
	const n, cores, k = 30, 2, 784
	c := Config{Dataset: "mnist", Encoder: []int{256}, Bottleneck: 50, BatchSize: 64, Epochs: 50, TrainSize: 60000, TestSize: 200, Seed: 1}
	full := c.Defaults()
	need := needOf(full, k, 60000, 200)
	if need.block == 0 {
		t.Fatal("an AE-S block is not shared")
	}
	sharedOf := func(count int) int64 {
		s, _ := sharedMemory(cores, func(yield func(trainingNeed) bool) {
			for range count {
				if !yield(need) {
					return
				}
			}
		})
		return s
	}
	fits := int64(n)*need.own + sharedOf(n)
	budget := fits*8/7 + 8 // the trainings get 7/8 of the budget
	m := newTestManager(t, Options{MaxMemory: budget, MaxRunning: 64, Cores: cores, CoreGFLOPS: 1000})
	if got := m.trainingBudget(); got < fits || int64(n+1)*need.own+sharedOf(n+1) <= got {
		t.Fatalf("training budget %d: want room for %d trainings (%d) and not %d", got, n, fits, n+1)
	}
	old := fits / (need.own + need.block) // a block each, as before blocks were shared
	t.Logf("AE-S: %s own, %s block; %d trainings need %s (shared %s) of a %s budget; a block each would admit %d",
		Bytes(need.own), Bytes(need.block), n, Bytes(fits), Bytes(sharedOf(n)), Bytes(budget), old)
	if old >= n {
		t.Fatalf("a block per training would admit %d ≥ %d: the test shows nothing", old, n)
	}
	var all []*Session
	for range n + 1 {
		s, _, err := m.Create(c)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, s)
	}
	st := m.Stats()
	if st.Running != n || st.Queued != 1 {
		t.Errorf("%d running and %d queued, want %d and 1", st.Running, st.Queued, n)
	}
	if in := all[n].Info(); in.State != Queued || in.QueuePosition != 1 {
		t.Errorf("the training that does not fit: %s at %d, want queued first", in.State, in.QueuePosition)
	}
	if st.MemoryUsed != fits || st.MemoryShared != sharedOf(n) {
		t.Errorf("reserved %d (shared %d), want %d (shared %d)", st.MemoryUsed, st.MemoryShared, fits, sharedOf(n))
	}
	for _, s := range all {
		_ = s.Stop()
	}
	for _, s := range all {
		waitDone(t, s)
	}
	if st := m.Stats(); st.MemoryUsed != 0 || st.MemoryShared != 0 {
		t.Errorf("after all ended: %d reserved, %d shared", st.MemoryUsed, st.MemoryShared)
	}
	if st := m.scratch.Stats(); st.IdleBytes != 0 {
		t.Errorf("the scratch pool keeps %d idle bytes with no training", st.IdleBytes)
	}
}
