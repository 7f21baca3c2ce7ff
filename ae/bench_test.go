package ae

import "testing"

// BenchmarkTrainStepAES measures TrainStep on a shallow MNIST-shaped
// autoencoder: 784-256-50-256-784, batch 64, ReLU, sigmoid output, MSE, Adam.
func BenchmarkTrainStepAES(b *testing.B) {
	benchmarkTrainStep(b, []int{784, 256, 50, 256, 784}, 64)
}

// BenchmarkTrainStepAED measures TrainStep on a deep MNIST-shaped
// autoencoder: 784-512-256-128-32-128-256-512-784, batch 256.
func BenchmarkTrainStepAED(b *testing.B) {
	benchmarkTrainStep(b, []int{784, 512, 256, 128, 32, 128, 256, 512, 784}, 256)
}

// benchmarkTrainStep trains on one batch of uniform [0, 1) data (the timing
// does not depend on the values) and reports samples/s and the GEMM
// throughput: per layer, the forward x·W, the weight gradient xᵀ·dz and,
// except for the first layer, the input gradient dz·Wᵀ, 2·n·in·out flops each.
func benchmarkTrainStep(b *testing.B, sizes []int, batch int) {
	m := mustNew(b, Config{
		Sizes: sizes, Bottleneck: len(sizes) / 2,
		Hidden: ReLU, Output: Sigmoid, Loss: MSE,
		Optimizer: Optimizer{Kind: Adam, LearningRate: 1e-3},
		BatchSize: batch, Seed: 1,
	})
	x := uniformData(1, batch, sizes[0], 0, 1)
	flops := 0.0
	for l := 0; l+1 < len(sizes); l++ {
		products := 3.0
		if l == 0 {
			products = 2
		}
		flops += products * 2 * float64(batch*sizes[l]*sizes[l+1])
	}
	m.TrainStep(x, nil, batch) // warm up caches and any lazily started workers
	b.ReportAllocs()
	for b.Loop() {
		m.TrainStep(x, nil, batch)
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N*batch)/sec, "samples/s")
	b.ReportMetric(flops*float64(b.N)/sec/1e9, "GFLOP/s")
}
