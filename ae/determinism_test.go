package ae

import (
	"math"
	"runtime"
	"slices"
	"testing"
)

// TestDeterminism trains the same config for 20 steps with Workers 1, 2 and
// 0 (= GOMAXPROCS) under GOMAXPROCS 1 and 2, and requires bit-identical loss
// histories and weights. The first layer's products (64·128·256 multiply-
// adds) are large enough for the matrix products to use several workers.
func TestDeterminism(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	type run struct{ procs, workers int }
	all := []run{{1, 1}, {2, 2}, {1, 2}, {2, 1}, {1, 0}, {2, 0}}
	x := factorData(5, 200, 256, 4)
	for _, opt := range Optimizers() {
		runs := all[:2]
		if opt == Adam {
			runs = all
		}
		c := Config{
			Sizes: []int{256, 128, 16, 128, 256}, Bottleneck: 2,
			Hidden: ReLU, Output: Sigmoid, Loss: BCE,
			Optimizer: Optimizer{Kind: opt, LearningRate: 1e-2, Nesterov: opt == Momentum, WeightDecay: 1e-4},
			BatchSize: 64, Seed: 42,
		}
		var refLoss []float64
		var refParams []float32
		for _, r := range runs {
			runtime.GOMAXPROCS(r.procs)
			c.Workers = r.workers
			m := mustNew(t, c)
			b := NewBatcher(x, 200, 256, 64, 7)
			var hist []float64
			for s := 0; s < 20; s++ {
				batch, n := b.Next()
				hist = append(hist, m.TrainStep(batch, nil, n))
			}
			hist = append(hist, m.EvalLoss(x, nil, 200))
			if refLoss == nil {
				refLoss, refParams = hist, slices.Clone(m.params)
				continue
			}
			for s := range hist {
				if math.Float64bits(hist[s]) != math.Float64bits(refLoss[s]) {
					t.Fatalf("%s, GOMAXPROCS %d, Workers %d: loss %d = %v; %v with GOMAXPROCS 1, Workers 1",
						opt, r.procs, r.workers, s, hist[s], refLoss[s])
				}
			}
			if !slices.Equal(m.params, refParams) {
				t.Fatalf("%s, GOMAXPROCS %d, Workers %d: weights differ after 20 steps", opt, r.procs, r.workers)
			}
		}
		if !(refLoss[19] < refLoss[0]) {
			t.Errorf("%s: loss did not decrease (%v → %v): the test would compare untrained models", opt, refLoss[0], refLoss[19])
		}
	}
}
