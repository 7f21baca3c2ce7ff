package ae

import (
	"testing"
)

// TestLinearAutoencoderMatchesPCA trains linear autoencoders with an M-unit
// bottleneck (MSE, Adam, full batch, decaying learning rate) on rank-3 data
// plus noise. The best any of them can do is the reconstruction error of
// the first M principal components (Eckart–Young); trained to convergence
// they reach it.
func TestLinearAutoencoderMatchesPCA(t *testing.T) {
	const n, k, m = 256, 12, 3
	x := lowRankData(11, n, k, m, 0.1)
	p, err := FitPCA(x, n, k, m)
	if err != nil {
		t.Fatal(err)
	}
	pcaMSE := p.ReconstructionMSE(x, n, m)
	for _, sizes := range [][]int{{k, m, k}, {k, 8, m, 8, k}} {
		c := Config{
			Sizes: sizes, Bottleneck: len(sizes) / 2,
			Hidden: Linear, Output: Linear, Loss: MSE,
			Optimizer: Optimizer{Kind: Adam, LearningRate: 1e-2},
			BatchSize: n, Seed: 3, Workers: 1,
		}
		ae := mustNew(t, c)
		for _, phase := range []struct {
			lr    float64
			steps int
		}{{3e-2, 2000}, {3e-3, 500}, {3e-4, 300}} {
			ae.SetLearningRate(phase.lr)
			for s := 0; s < phase.steps; s++ {
				ae.TrainStep(x, nil, n)
			}
		}
		aeMSE := ae.EvalLoss(x, nil, n)
		t.Logf("%v: autoencoder MSE %.6g, PCA-%d MSE %.6g (ratio %.4f)", sizes, aeMSE, m, pcaMSE, aeMSE/pcaMSE)
		if aeMSE < pcaMSE*(1-1e-4) {
			t.Errorf("%v: autoencoder MSE %v is below the PCA optimum %v", sizes, aeMSE, pcaMSE)
		}
		if aeMSE > pcaMSE*1.01 {
			t.Errorf("%v: autoencoder MSE %v is more than 1%% above PCA's %v", sizes, aeMSE, pcaMSE)
		}
	}
}

// TestTrainingLowersLoss trains small nonlinear autoencoders with 3-unit
// codes for 30 epochs on data lying on a curved 3-dimensional manifold in
// [0, 1]³² (sigmoids of 3 mixed factors). The loss must fall by a large
// factor, and the smooth activations must beat PCA with 3 components, which
// can only fit a flat subspace.
func TestTrainingLowersLoss(t *testing.T) {
	const n, k, m = 512, 32, 3
	x := factorData(21, n, k, m)
	p, err := FitPCA(x, n, k, m)
	if err != nil {
		t.Fatal(err)
	}
	pcaMSE := p.ReconstructionMSE(x, n, m)
	for _, tc := range []struct {
		hidden  Activation
		loss    Loss
		beatPCA bool
	}{
		{ReLU, MSE, false}, // ReLU units in a 3-wide bottleneck can die: no PCA claim
		{ELU, BCE, true},
		{Tanh, MSE, true},
	} {
		c := Config{
			Sizes: []int{k, 32, m, 32, k}, Bottleneck: 2,
			Hidden: tc.hidden, Output: Sigmoid, Loss: tc.loss,
			Optimizer: Optimizer{Kind: Adam, LearningRate: 1e-2},
			BatchSize: 32, Seed: 3, Workers: 1,
		}
		ae := mustNew(t, c)
		rec := make([]float32, n*k)
		mse := func() float64 {
			ae.Reconstruct(rec, x, n)
			s := 0.0
			for i := range rec {
				d := float64(rec[i]) - float64(x[i])
				s += d * d
			}
			return s / float64(n*k)
		}
		mse0 := mse()
		b := NewBatcher(x, n, k, c.BatchSize, 1)
		for b.Epoch() < 30 {
			batch, rows := b.Next()
			ae.TrainStep(batch, nil, rows)
		}
		mse1 := mse()
		t.Logf("%s/%s: reconstruction MSE %.4g → %.4g after %d steps (PCA-3: %.4g)",
			tc.hidden, tc.loss, mse0, mse1, ae.Steps(), pcaMSE)
		if mse1 > mse0/5 {
			t.Errorf("%s/%s: MSE fell only from %v to %v", tc.hidden, tc.loss, mse0, mse1)
		}
		if tc.beatPCA && mse1 > pcaMSE {
			t.Errorf("%s/%s: MSE %v does not beat PCA-3's %v", tc.hidden, tc.loss, mse1, pcaMSE)
		}
	}
}
