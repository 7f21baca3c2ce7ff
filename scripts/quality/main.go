// Command quality trains a workload of the PyTorch comparison on full MNIST
// with the ae engine, the way the app's trainer does (shuffled batches from
// ae.Batcher, one TrainStep each, the last partial batch kept), and prints
// one JSON object per epoch: the training time and throughput (the loop
// only) and the test MSE over the 10,000 test images (mean over all
// elements), like scripts/torch_ae.py, so scripts/bench-vs-pytorch.sh can
// compare them.
//
// Usage:
//
//	go run ./scripts/quality [-workload AE-S|AE-D] [-epochs 3] [-seed 0]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/datasets"
)

// workloads are the networks of the comparison: ReLU on every hidden layer
// (bottleneck included), sigmoid output, MSE, Adam 1e-3.
var workloads = map[string]struct {
	sizes []int
	batch int
}{
	"AE-S": {[]int{784, 256, 50, 256, 784}, 64},
	"AE-D": {[]int{784, 512, 256, 128, 32, 128, 256, 512, 784}, 256},
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quality:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("quality", flag.ContinueOnError)
	name := fs.String("workload", "AE-S", "workload: AE-S or AE-D")
	epochs := fs.Int("epochs", 3, "training epochs")
	seed := fs.Uint64("seed", 0, "seed of the initial weights and of the shuffling")
	if err := fs.Parse(args); err != nil {
		return err
	}
	w, ok := workloads[*name]
	if !ok {
		return fmt.Errorf("unknown workload %q (want AE-S or AE-D)", *name)
	}
	ds, err := datasets.NewRegistry("").Load("mnist", 0)
	if err != nil {
		return err
	}
	m, err := ae.New(ae.Config{
		Sizes: w.sizes, Bottleneck: len(w.sizes) / 2,
		Hidden: ae.ReLU, Output: ae.Sigmoid, Loss: ae.MSE,
		Optimizer: ae.Optimizer{Kind: ae.Adam, LearningRate: 1e-3},
		BatchSize: w.batch, Seed: *seed,
	})
	if err != nil {
		return err
	}
	k, train, test := w.sizes[0], ds.Train, ds.Test
	enc := json.NewEncoder(stdout)
	if err := enc.Encode(map[string]any{
		"engine": "ae", "workload": *name, "sizes": w.sizes, "batch": w.batch, "seed": *seed,
		"params": m.NumParams(), "init_test_mse": m.EvalLoss(test.X, nil, test.N),
	}); err != nil {
		return err
	}
	b := ae.NewBatcher(train.X, train.N, k, w.batch, *seed)
	for epoch := 1; epoch <= *epochs; epoch++ {
		var last float64
		t0 := time.Now()
		for b.Epoch() < epoch {
			x, n := b.Next()
			last = m.TrainStep(x, nil, n)
		}
		dt := time.Since(t0).Seconds()
		if err := enc.Encode(map[string]any{
			"epoch": epoch, "train_s": dt, "samples_per_s": float64(train.N) / dt,
			"last_batch_loss": last, "test_mse": m.EvalLoss(test.X, nil, test.N),
		}); err != nil {
			return err
		}
	}
	return nil
}
