package session

import "testing"

// TestTrainingsShareScratchBetweenTurns runs eight trainings of one shape
// on two CPU slots and checks that they share the gradient and batch
// buffers between their turns: a training computes only while it holds a
// slot, so two blocks would do (a few more if one waited longer than
// ae.ScratchStale on a crowded machine), where holding their own would
// take eight.
func TestTrainingsShareScratchBetweenTurns(t *testing.T) {
	m := newTestManager(t, Options{Cores: 2})
	c := small()
	c.TrainSize, c.Epochs, c.TestSize = 2048, 2, 200
	var all []*Session
	for i := range 8 {
		c.Seed = uint64(i + 1)
		s, _, err := m.Create(c)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, s)
	}
	for _, s := range all {
		waitDone(t, s)
		if s.State() != Completed {
			t.Fatalf("training ended %s", s.State())
		}
	}
	st := m.scratch.Stats()
	t.Logf("scratch pool: %+v", st)
	if st.Allocated > 4 || st.Reused < len(all) || st.Refused > 0 {
		t.Fatalf("scratch pool %+v: want at most 4 blocks allocated for 8 trainings on 2 slots, each lent again", st)
	}
}
