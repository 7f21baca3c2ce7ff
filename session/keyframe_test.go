package session_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aelab/aelab/session"
)

func TestKeyframeSteps(t *testing.T) {
	for _, tc := range []struct {
		perEpoch, total int
		want            []int
	}{
		{16, 32, []int{0, 1, 2, 5, 10, 16, 20, 32}},
		{100, 300, []int{0, 1, 2, 5, 10, 20, 50, 100, 200, 300}},
		{1, 1, []int{0, 1}},
		{0, 0, []int{0}},
		{469, 469 * 3, []int{0, 1, 2, 5, 10, 20, 50, 100, 200, 469, 500, 938, 1000, 1407}},
	} {
		if got := session.KeyframeSteps(tc.perEpoch, tc.total); !slices.Equal(got, tc.want) {
			t.Errorf("KeyframeSteps(%d, %d) = %v, want %v", tc.perEpoch, tc.total, got, tc.want)
		}
	}
	// However long the run, at most MaxKeyframes, always from 0 to the end,
	// the last epoch's end and the early log scale kept.
	for _, tc := range []struct{ perEpoch, total int }{{1, 1000}, {3, 3000}, {469, 469 * 200}, {1, 10_000_000}, {1000, 1_000_000}, {7, 7 * 45}} {
		got := session.KeyframeSteps(tc.perEpoch, tc.total)
		if len(got) > session.MaxKeyframes {
			t.Errorf("KeyframeSteps(%d, %d) has %d steps, more than %d", tc.perEpoch, tc.total, len(got), session.MaxKeyframes)
		}
		if got[0] != 0 || got[len(got)-1] != tc.total || !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Errorf("KeyframeSteps(%d, %d) = %v: want strictly increasing from 0 to the last step", tc.perEpoch, tc.total, got)
		}
		if tc.total <= 1_000_000 && !slices.Contains(got, tc.total-tc.perEpoch) && tc.total > tc.perEpoch {
			t.Errorf("KeyframeSteps(%d, %d) = %v lacks the end of the last epoch but one (%d)", tc.perEpoch, tc.total, got, tc.total-tc.perEpoch)
		}
		if tc.total >= 10 && !slices.Contains(got, 1) || !slices.Contains(got, 2) || !slices.Contains(got, 5) {
			t.Errorf("KeyframeSteps(%d, %d) = %v lacks the early steps", tc.perEpoch, tc.total, got)
		}
	}
	if got := session.KeyframeSteps(7, 7*45); len(got) < 30 {
		t.Errorf("KeyframeSteps(7, 315) kept only %d steps of the %d allowed", len(got), session.MaxKeyframes)
	}
}

// A run keeps a keyframe at each of its KeyframeSteps, whoever watches; the
// store has them once written (and the session no longer holds them), and
// after a restart on the same store the index and the frames are the same.
func TestKeyframesKeptAndRestored(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := openStore(t, dir)
	m := session.NewManager(session.Options{Datasets: registry, Store: st, MaxStoreBytes: 1 << 30})
	// 512/32 = 16 steps an epoch, 3 epochs.
	s, _, err := m.Create(session.Config{Encoder: []int{32}, Bottleneck: 2, TrainSize: 512, TestSize: 300, BatchSize: 32, Epochs: 3, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	wait(t, s)
	want := session.KeyframeSteps(16, 48)
	idx, err := s.Keyframes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	steps := func(idx []session.KeyframeInfo) []int {
		var out []int
		for _, k := range idx {
			out = append(out, k.Step)
		}
		return out
	}
	if !slices.Equal(steps(idx), want) {
		t.Fatalf("keyframe steps = %v, want %v", steps(idx), want)
	}
	if idx[0].TrainLoss != nil || idx[0].TestLoss == nil || idx[len(idx)-1].TrainLoss == nil || idx[len(idx)-1].Epoch != 3 {
		t.Errorf("index = %+v: want a test loss from the start, a training loss at the end, epoch 3 last", idx)
	}
	first, err := s.Keyframe(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	last, err := s.Keyframe(ctx, 48)
	if err != nil {
		t.Fatal(err)
	}
	if first.Latent == nil || first.Reconstructions == nil || len(first.Latent.X) == 0 || first.Latent.Step != 0 || last.Reconstructions.Step != 48 {
		t.Fatalf("keyframes 0 and 48: %+v / %+v", first, last)
	}
	if slices.Equal(first.Latent.X, last.Latent.X) || slices.Equal(first.Reconstructions.Reconstructions, last.Reconstructions.Reconstructions) {
		t.Error("the first and last keyframes show the same picture: training changed nothing?")
	}
	if _, err := s.Keyframe(ctx, 3); session.ErrorCode(err) != session.ENotFound {
		t.Errorf("Keyframe(3) = %v, want not found", err)
	}
	m.FlushStore()
	if got, _ := st.Keyframes(ctx, s.ID()); !slices.Equal(steps(got), want) {
		t.Fatalf("the store has keyframes at %v, want %v", steps(got), want)
	}
	shutdown(t, m)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st2 := openStore(t, dir)
	defer st2.Close()
	m2 := session.NewManager(session.Options{Datasets: registry, Store: st2, MaxStoreBytes: 1 << 30})
	defer shutdown(t, m2)
	if err := m2.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := m2.Get(s.ID())
	if err != nil {
		t.Fatal(err)
	}
	idx2, err := r.Keyframes(ctx)
	if err != nil || !slices.Equal(steps(idx2), want) {
		t.Fatalf("after a restart: keyframes at %v (%v), want %v", steps(idx2), err, want)
	}
	k, err := r.Keyframe(ctx, 48)
	if err != nil || k.Latent == nil || len(k.Latent.X) != len(last.Latent.X) || !slices.Equal(k.Reconstructions.Reconstructions, last.Reconstructions.Reconstructions) {
		t.Fatalf("after a restart: keyframe 48 = %+v, %v", k, err)
	}
}

// Without a store a run keeps its keyframes in memory.
func TestKeyframesWithoutStore(t *testing.T) {
	m := session.NewManager(session.Options{Datasets: registry})
	defer shutdown(t, m)
	s, _, err := m.Create(session.Config{Encoder: []int{16}, Bottleneck: 2, TrainSize: 256, TestSize: 100, BatchSize: 32, Epochs: 2, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	wait(t, s)
	idx, err := s.Keyframes(context.Background())
	if err != nil || len(idx) != len(session.KeyframeSteps(8, 16)) {
		t.Fatalf("keyframes = %+v, %v; want %v", idx, err, session.KeyframeSteps(8, 16))
	}
}
