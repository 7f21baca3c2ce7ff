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

// BenchmarkUpdate times one optimizer step on AE-S's 428,354 parameters
// with the Go loop and with each vector kernel, and reports ns per
// parameter.
func BenchmarkUpdate(b *testing.B) {
	const n = 428354
	w, g := uniformData(1, 1, n, -0.1, 0.1), uniformData(2, 1, n, -1e-3, 1e-3)
	for _, opt := range Optimizers() {
		for _, lv := range append(vectorLevels(), simdNone) {
			b.Run(string(opt)+"/"+lv.String(), func(b *testing.B) {
				withSIMD(lv, func() {
					o := newUpdater(Optimizer{Kind: opt, LearningRate: 1e-3}.WithDefaults(), n)
					for b.Loop() {
						o.update(w, g, 1e-3)
					}
					b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(b.N*n), "ns/param")
				})
			})
		}
	}
}

// BenchmarkSigmoidOutput times the output layer's elementwise work in an
// AE-S step (64×784): the bias and sigmoid, then the fused MSE gradient,
// with the Go loops and with each vector kernel.
func BenchmarkSigmoidOutput(b *testing.B) {
	const rows, k = 64, 784
	z0, bias, y := uniformData(3, rows, k, -8, 8), uniformData(4, 1, k, -1, 1), uniformData(5, rows, k, 0, 1)
	z, p, dz := make([]float32, rows*k), make([]float32, rows*k), make([]float32, rows*k)
	for _, lv := range append(vectorLevels(), simdNone) {
		b.Run(lv.String(), func(b *testing.B) {
			withSIMD(lv, func() {
				for b.Loop() {
					copy(z, z0)
					actSigmoid.forward(z, p, bias)
					outputGrad(dz, z, p, y, lossMSE, actSigmoid, 1.0/(rows*k))
				}
				b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(b.N*rows*k), "ns/element")
			})
		})
	}
}
