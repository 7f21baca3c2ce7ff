package ae_test

import (
	"sync"
	"testing"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/datasets"
)

// BenchmarkTrainAES trains the shallow workload AE-S of the PyTorch
// comparison (scripts/bench-vs-pytorch.sh) on real MNIST batches:
// 784-256-50-256-784, ReLU, sigmoid output, MSE, Adam 1e-3, batch 64.
func BenchmarkTrainAES(b *testing.B) {
	benchmarkTrainMNIST(b, denseWorkload([]int{784, 256, 50, 256, 784}, 64))
}

// BenchmarkTrainAED trains the deep workload AE-D on real MNIST batches:
// 784-512-256-128-32-128-256-512-784, batch 256.
func BenchmarkTrainAED(b *testing.B) {
	benchmarkTrainMNIST(b, denseWorkload([]int{784, 512, 256, 128, 32, 128, 256, 512, 784}, 256))
}

// BenchmarkTrainVAE trains the variational workload of the PyTorch
// comparison on real MNIST batches: the PyTorch examples' VAE,
// 784-400-(μ, log σ²: 20)-400-784, ReLU, sigmoid output, BCE summed over
// the pixels + KL, β = 1, Adam 1e-3, batch 128 (-benchtime 469x is one
// epoch).
func BenchmarkTrainVAE(b *testing.B) {
	c := denseWorkload([]int{784, 400, 20, 400, 784}, 128)
	c.Kind, c.Loss = ae.VAE, ae.BCE
	benchmarkTrainMNIST(b, c)
}

// BenchmarkTrainConv trains the convolutional workload CAE of the PyTorch
// comparison on real MNIST batches: Conv(1→16, k3, s2, p1) → Conv(16→32,
// k3, s2, p1) → dense 1568-32-1568 → the mirrored transposed convolutions
// back to 1×28×28, ReLU inside (the code linear), sigmoid output, MSE,
// Adam 1e-3, batch 64 (ae.CAEConfig). -benchtime 938x is one epoch.
func BenchmarkTrainConv(b *testing.B) {
	c := ae.CAEConfig(32)
	c.Seed = 1
	benchmarkTrainMNIST(b, c)
}

// denseWorkload is a dense workload of the comparison: ReLU on every hidden
// layer (bottleneck included), sigmoid output, MSE, Adam 1e-3.
func denseWorkload(sizes []int, batch int) ae.Config {
	return ae.Config{
		Sizes: sizes, Bottleneck: len(sizes) / 2,
		Hidden: ae.ReLU, Output: ae.Sigmoid, Loss: ae.MSE,
		Optimizer: ae.Optimizer{Kind: ae.Adam, LearningRate: 1e-3},
		BatchSize: batch, Seed: 1,
	}
}

// mnistTrain loads the MNIST training images once per process.
var mnistTrain = sync.OnceValues(func() (datasets.Split, error) {
	ds, err := datasets.NewRegistry("").Load("mnist", 0)
	if err != nil {
		return datasets.Split{}, err
	}
	return ds.Train, nil
})

// benchmarkTrainMNIST times Batcher.Next plus TrainStep, as the trainer
// runs them (the images kept as bytes, each batch converted to float32), over the 60,000 shuffled training images (the last, partial
// batch of each epoch included), and reports samples/s: rows trained per
// second of the loop. b.N steps are timed; -benchtime 938x (AE-S) or 235x
// (AE-D) is exactly one epoch, what the PyTorch trainer times.
func benchmarkTrainMNIST(b *testing.B, c ae.Config) {
	train, err := mnistTrain()
	if err != nil {
		b.Fatal(err)
	}
	pixels, div, ok := train.Bytes()
	if !ok {
		b.Fatal("MNIST is not kept as bytes")
	}
	batch := c.BatchSize
	// A throw-away step starts the matrix products' worker pool and sizes
	// their scratch space, outside the timing.
	warm, err := ae.New(c)
	if err != nil {
		b.Fatal(err)
	}
	warm.TrainStep(train.AppendRows(nil, 0, batch), nil, batch)
	m, err := ae.New(c)
	if err != nil {
		b.Fatal(err)
	}
	bt := ae.NewSourceBatcher(ae.Bytes{Data: pixels, Cols: train.Features(), Div: div}, nil, batch, 1)
	rows := 0
	b.ReportAllocs()
	for b.Loop() {
		x, n := bt.Next()
		m.TrainStep(x, nil, n)
		rows += n
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "samples/s")
}
