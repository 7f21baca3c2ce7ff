package session

import (
	"runtime"
	"testing"

	"github.com/aelab/aelab/ae"
)

// TestMemoryEstimateCoversATraining builds what n trainings hold on a
// server of two CPU slots at its busiest: n models made by ae.NewPooled on
// one pool bounded as the manager bounds it, each with its optimizer
// state, two published snapshots and a batch copied out of the data, all
// of them having computed a step and an evaluation in turns (two at a
// time, then parked), and the last two still computing with their blocks.
// It checks that the admission estimate (each training's own bytes and the
// blocks they share; the checkpoints on their way to the store are the
// store writer's bound, tested there) covers the bytes measured, without
// overstating them much.
func TestMemoryEstimateCoversATraining(t *testing.T) {
	const k, cores = 784, 2
	for _, tc := range []struct {
		c Config
		n int
	}{
		{Config{Encoder: []int{256}, Bottleneck: 2, BatchSize: 64}, 8},
		{Config{Encoder: []int{256}, Bottleneck: 50, BatchSize: 64}, 8},
		{Config{Encoder: []int{1024, 256}, Bottleneck: 32, BatchSize: 512}, 3},
		{Config{Encoder: []int{1500}, Bottleneck: 32, BatchSize: 512, Optimizer: "sgd"}, 3},
	} {
		c := tc.c
		c.Epochs, c.TrainSize, c.TestSize = 1, 1000, 500
		c = c.Defaults()
		need := needOf(c, k, c.TrainSize, c.TestSize)
		needs := func(yield func(trainingNeed) bool) {
			for range tc.n {
				if !yield(need) {
					return
				}
			}
		}
		shared, idle := sharedMemory(cores, needs)
		x := make([]float32, c.BatchSize*k)
		for i := range x {
			x[i] = float32(i%13) / 13
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		pool := ae.NewScratchPool(idle)
		models := make([]*ae.Model, tc.n)
		held := make([][]any, tc.n)
		for i := range models {
			cfg := aeConfig(c, k)
			cfg.Seed = uint64(i + 1)
			model, err := ae.NewPooled(cfg, pool)
			if err != nil {
				t.Fatal(err)
			}
			model.SetWorkers(1)
			models[i] = model
		}
		for i := 0; i < tc.n; i += cores { // turns, two at a time
			turn := models[i:min(i+cores, tc.n)]
			for j, model := range turn {
				batch := make([]float32, len(x))
				copy(batch, x)
				model.TrainStep(batch, nil, c.BatchSize)
				model.EvalLoss(x[:min(len(x), 256*k)], nil, min(c.BatchSize, 256))
				held[i+j] = []any{batch, model.Snapshot(), model.Snapshot()}
			}
			if i+cores < tc.n {
				for _, model := range turn {
					model.Park()
				}
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(models)
		runtime.KeepAlive(held)
		measured := int64(after.HeapAlloc) - int64(before.HeapAlloc)
		est := int64(tc.n)*need.own + shared - (maxPendingWeights + need.ckpt)
		bookkeeping := int64(tc.n) * (2 << 20) // messages and the trainer's own, not built here
		t.Logf("%d × %s batch %d (%s): estimate %s (block %s shared), measured %s; pool %+v",
			tc.n, Arrow(c.Sizes(k)), c.BatchSize, c.Optimizer, Bytes(est), Bytes(need.block), Bytes(measured), pool.Stats())
		if est < measured || est > 2*measured+bookkeeping+(4<<20) {
			t.Errorf("%d × %s batch %d: estimate %d bytes for %d measured", tc.n, Arrow(c.Sizes(k)), c.BatchSize, est, measured)
		}
		if need.block == 0 {
			t.Errorf("%s: its block is not shared", Arrow(c.Sizes(k)))
		}
	}
}
