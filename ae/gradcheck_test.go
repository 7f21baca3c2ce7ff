package ae

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
)

// gradStep is the finite-difference step for whole networks: a power of two,
// so p ± h is exact in float32 for the weights' magnitudes, and large enough
// that float32 rounding of the loss (~1e-8) is small against 2h·∂L/∂p.
const gradStep = 1.0 / 128

// kinkMargin is how far from a kink (ReLU-family pre-activations at 0, L1 at
// p = y) every value must be at the base point, so that no ±gradStep
// perturbation crosses it and the loss is smooth on the stencil.
const kinkMargin = 0.05

// TestNetworkGradient checks the back-propagated gradient of every weight
// and bias of small autoencoders against central finite differences of the
// loss, for every hidden activation × (loss, output activation) pair.
func TestNetworkGradient(t *testing.T) {
	type head struct {
		loss Loss
		out  Activation
	}
	var heads []head
	for _, out := range Activations() {
		heads = append(heads, head{MSE, out})
	}
	heads = append(heads, head{L1, Linear}, head{L1, Sigmoid}, head{BCE, Sigmoid})

	worstAll := 0.0
	for _, hidden := range Activations() {
		for _, h := range heads {
			name := fmt.Sprintf("%s/%s+%s", hidden, h.out, h.loss)
			worst := checkNetworkGradient(t, name, hidden, h.out, h.loss)
			t.Logf("%-28s worst error %.1e", name, worst)
			worstAll = max(worstAll, worst)
		}
	}
	t.Logf("worst error over all %d networks: %.1e", len(Activations())*len(heads), worstAll)
}

// checkNetworkGradient builds a 5-4-3-4-5 autoencoder on a batch of 4 rows
// with targets different from the inputs, finds a seed whose base point is
// kinkMargin away from every kink, and compares gradients. It returns the
// worst error.
func checkNetworkGradient(t *testing.T, name string, hidden, out Activation, loss Loss) float64 {
	t.Helper()
	const n, k = 4, 5
	c := Config{
		Sizes: []int{k, 4, 3, 4, k}, Bottleneck: 2,
		Hidden: hidden, Output: out, Loss: loss,
		Optimizer: Optimizer{Kind: SGD, LearningRate: 0.1},
		BatchSize: n, Workers: 1,
	}
	for seed := uint64(1); seed <= 500; seed++ {
		c.Seed = seed
		m := mustNew(t, c)
		// Random non-zero biases so the test also sees them at work.
		for _, l := range m.layers {
			copy(l.b, uniformData(seed+1000, 1, l.out, -0.5, 0.5))
		}
		x := uniformData(seed, n, k, -1, 1)
		y := uniformData(seed+2000, n, k, 0, 1)
		m.EvalLoss(x, y, n) // fills the evaluation buffers at the base point
		if !farFromKinks(m, y, n) {
			continue
		}

		base := append([]float32(nil), m.params...)
		value := func(p []float64) float64 {
			for i, v := range p {
				m.params[i] = float32(v)
			}
			return m.EvalLoss(x, y, n)
		}
		want := fd.Gradient(nil, value, to64(base), &fd.Settings{Formula: fd.Central, Step: gradStep})
		copy(m.params, base)

		m.gradient(x, y, n)
		worst, at := gradError(to64(m.grads), want, 1e-2)
		if worst > 1e-2 {
			t.Errorf("%s (seed %d): ∂L/∂θ[%d] = %v; finite difference %v (error %.1e)",
				name, seed, at, m.grads[at], want[at], worst)
		}
		return worst
	}
	t.Fatalf("%s: no seed in 500 keeps the base point %v from every kink", name, kinkMargin)
	return 0
}

// farFromKinks reports whether the last evaluation (in m.eval) kept every
// pre-activation of a kinked activation, and for L1 every output-target gap,
// at least kinkMargin away from the kink.
func farFromKinks(m *Model, y []float32, n int) bool {
	for i, l := range m.layers {
		if l.act != actReLU && l.act != actLeakyReLU && l.act != actELU {
			continue
		}
		for _, z := range m.eval.z[i][:n*l.out] {
			if math.Abs(float64(z)) < kinkMargin {
				return false
			}
		}
	}
	if m.loss == lossL1 {
		last := len(m.layers) - 1
		for i, p := range m.eval.a[last][:len(y)] {
			if math.Abs(float64(p-y[i])) < kinkMargin {
				return false
			}
		}
	}
	return true
}
