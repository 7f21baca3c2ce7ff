package session

import (
	"runtime"
	"testing"

	"github.com/aelab/aelab/ae"
)

// TestMemoryEstimateCoversATraining builds what a training holds (the
// model with its optimizer state and buffers, a step's batch, an
// evaluation, two published snapshots) and checks that the admission
// estimate covers the bytes measured, without overstating them much.
func TestMemoryEstimateCoversATraining(t *testing.T) {
	const k = 784
	for _, c := range []Config{
		{Encoder: []int{256}, Bottleneck: 2, BatchSize: 64},
		{Encoder: []int{1024, 256}, Bottleneck: 32, BatchSize: 512},
		{Encoder: []int{1500}, Bottleneck: 32, BatchSize: 512, Optimizer: "sgd"},
	} {
		c.Epochs, c.TrainSize, c.TestSize = 1, 1000, 500
		c = c.Defaults()
		x := make([]float32, c.BatchSize*k)
		for i := range x {
			x[i] = float32(i%13) / 13
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		model, err := ae.New(aeConfig(c, k))
		if err != nil {
			t.Fatal(err)
		}
		model.SetWorkers(1)
		batch := make([]float32, len(x))
		copy(batch, x)
		model.TrainStep(batch, nil, c.BatchSize)
		model.EvalLoss(x[:min(len(x), 256*k)], nil, min(c.BatchSize, 256))
		s1, s2 := model.Snapshot(), model.Snapshot()
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(model)
		runtime.KeepAlive(batch)
		runtime.KeepAlive(s1)
		runtime.KeepAlive(s2)
		measured := int64(after.HeapAlloc) - int64(before.HeapAlloc)
		est := trainingMemory(c, k, c.TrainSize, c.TestSize)
		t.Logf("%s batch %d (%s): estimate %s, measured %s", Arrow(c.Sizes(k)), c.BatchSize, c.Optimizer, Bytes(est), Bytes(measured))
		if est < measured || est > 2*measured+(4<<20) {
			t.Errorf("%s batch %d: estimate %d bytes for %d measured", Arrow(c.Sizes(k)), c.BatchSize, est, measured)
		}
	}
}
