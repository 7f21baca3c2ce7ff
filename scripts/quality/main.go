// Command quality trains a workload of the PyTorch comparison on full MNIST
// with the ae engine, the way the app's trainer does (shuffled batches from
// ae.Batcher, one TrainStep each, the last partial batch kept), and prints
// one JSON object per epoch: the training time and throughput (the loop
// only) and the test MSE over the 10,000 test images (mean over all
// elements), like scripts/torch_ae.py, so scripts/bench-vs-pytorch.sh can
// compare them.
//
// The VAE workload (the PyTorch examples' VAE of torch_models.py:
// 784-400-(μ, log σ²: 20)-400-784, ReLU, sigmoid output, BCE summed over the
// pixels + KL, β = 1, Adam 1e-3, batch 128) prints the test loss instead:
// the negative ELBO per test image in nats, with one sampled code per image,
// its reconstruction and KL parts, and the test MSE of the decoding at z = μ.
//
// Usage:
//
//	go run ./scripts/quality [-workload AE-S|AE-D|VAE|CAE] [-epochs 3] [-seed 0] [-init he|pytorch]
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
// (bottleneck included), sigmoid output, MSE, Adam 1e-3. CAE is the
// convolutional one, ae.CAEConfig (its code linear, as in PyTorch's).
var workloads = map[string]struct {
	sizes []int
	batch int
	vae   bool
	conv  bool
}{
	"AE-S": {[]int{784, 256, 50, 256, 784}, 64, false, false},
	"AE-D": {[]int{784, 512, 256, 128, 32, 128, 256, 512, 784}, 256, false, false},
	"VAE":  {[]int{784, 400, 20, 400, 784}, 128, true, false},
	"CAE":  {[]int{784, 32, 784}, 64, false, true},
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quality:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("quality", flag.ContinueOnError)
	name := fs.String("workload", "AE-S", "workload: AE-S, AE-D, VAE or CAE")
	epochs := fs.Int("epochs", 3, "training epochs")
	seed := fs.Uint64("seed", 0, "seed of the initial weights and of the shuffling")
	initName := fs.String("init", "", "initial weights: he (He/Glorot), pytorch (nn.Linear's default) or empty for the engine's default")
	if err := fs.Parse(args); err != nil {
		return err
	}
	w, ok := workloads[*name]
	if !ok {
		return fmt.Errorf("unknown workload %q (want AE-S, AE-D, VAE or CAE)", *name)
	}
	ds, err := datasets.NewRegistry("").Load("mnist", 0)
	if err != nil {
		return err
	}
	c := ae.Config{
		Sizes: w.sizes, Bottleneck: len(w.sizes) / 2,
		Hidden: ae.ReLU, Output: ae.Sigmoid, Loss: ae.MSE,
		Optimizer: ae.Optimizer{Kind: ae.Adam, LearningRate: 1e-3},
		BatchSize: w.batch, Seed: *seed,
	}
	if w.vae {
		c.Kind, c.Loss = ae.VAE, ae.BCE
	}
	if w.conv {
		c = ae.CAEConfig(w.sizes[1])
		c.Seed = *seed
	}
	c.Init = ae.Init(*initName)
	m, err := ae.New(c)
	if err != nil {
		return err
	}
	pixels, div, ok := ds.Train.Bytes()
	if !ok {
		return fmt.Errorf("MNIST is expected as bytes")
	}
	k, train, nTest := w.sizes[0], ds.Train, ds.Test.N
	test := ds.Test.Rows(nil, 0, nTest)
	rec := make([]float32, nTest*k)
	// testFigures are the test-set numbers printed after each epoch.
	testFigures := func(out map[string]any) map[string]any {
		if !w.vae {
			out["test_mse"] = m.EvalLoss(test, nil, nTest)
			return out
		}
		p := m.EvalParts(test, nil, nTest)
		m.Reconstruct(rec, test, nTest)
		var se float64
		for i, v := range rec {
			d := float64(v) - float64(test[i])
			se += d * d
		}
		out["test_loss"], out["test_bce"], out["test_kl"] = p.Reconstruction+p.KL, p.Reconstruction, p.KL
		out["test_recon_mse"] = se / float64(len(rec))
		return out
	}
	enc := json.NewEncoder(stdout)
	if err := enc.Encode(testFigures(map[string]any{
		"engine": "ae", "workload": *name, "sizes": w.sizes, "batch": w.batch, "seed": *seed,
		"params": m.NumParams(), "init": *initName,
	})); err != nil {
		return err
	}
	b := ae.NewSourceBatcher(ae.Bytes{Data: pixels, Cols: k, Div: div}, nil, w.batch, *seed)
	for epoch := 1; epoch <= *epochs; epoch++ {
		var last float64
		t0 := time.Now()
		for b.Epoch() < epoch {
			x, n := b.Next()
			last = m.TrainStep(x, nil, n)
		}
		dt := time.Since(t0).Seconds()
		if err := enc.Encode(testFigures(map[string]any{
			"epoch": epoch, "train_s": dt, "samples_per_s": float64(train.N) / dt,
			"last_batch_loss": last,
		})); err != nil {
			return err
		}
	}
	return nil
}
