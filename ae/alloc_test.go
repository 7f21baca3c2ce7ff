package ae

import (
	"fmt"
	"testing"
)

// TestZeroAllocs checks that training and evaluation do not allocate. Workers = 2 also holds the matrix
// products to that promise when they run on several goroutines.
func TestZeroAllocs(t *testing.T) {
	for _, opt := range Optimizers() {
		for _, workers := range []int{1, 2} {
			c := smallConfig()
			c.Sizes, c.Bottleneck, c.BatchSize = []int{32, 16, 4, 16, 32}, 2, 16
			c.Optimizer.Kind, c.Workers = opt, workers
			m := mustNew(t, c)
			x := uniformData(1, 300, 32, 0, 1)
			name := fmt.Sprintf("%s/workers=%d", opt, workers)

			b := NewBatcher(x, 300, 32, 16, 1)
			if a := testing.AllocsPerRun(50, func() {
				batch, n := b.Next()
				m.TrainStep(batch, nil, n)
			}); a != 0 {
				t.Errorf("%s: Batcher.Next + TrainStep: %v allocations per call", name, a)
			}
			codes, rec := make([]float32, 300*4), make([]float32, 300*32)
			for op, f := range map[string]func(){
				"EvalLoss":    func() { m.EvalLoss(x, nil, 300) },
				"Encode":      func() { m.Encode(codes, x, 300) },
				"Decode":      func() { m.Decode(rec, codes, 300) },
				"Reconstruct": func() { m.Reconstruct(rec, x, 300) },
			} {
				if a := testing.AllocsPerRun(10, f); a != 0 {
					t.Errorf("%s: %s: %v allocations per call", name, op, a)
				}
			}
		}
	}
}

// TestZeroAllocsParallel repeats the training check on a network large
// enough for the matrix products to be split over 2 workers.
func TestZeroAllocsParallel(t *testing.T) {
	m := mustNew(t, Config{
		Sizes: []int{256, 128, 16, 128, 256}, Bottleneck: 2,
		Hidden: ReLU, Output: Sigmoid, Loss: MSE,
		Optimizer: Optimizer{Kind: Adam, LearningRate: 1e-3},
		BatchSize: 64, Seed: 1, Workers: 2,
	})
	x := uniformData(1, 64, 256, 0, 1)
	for s := 0; s < 3; s++ { // let lazily grown scratch space settle
		m.TrainStep(x, nil, 64)
	}
	if a := testing.AllocsPerRun(10, func() { m.TrainStep(x, nil, 64) }); a != 0 {
		t.Errorf("TrainStep with 2 workers: %v allocations per call", a)
	}
}
