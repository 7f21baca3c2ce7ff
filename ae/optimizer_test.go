package ae

import (
	"math"
	"testing"
)

// runSteps applies the optimizer o to the parameters w with the gradients gs
// (one per step; each of len(w)) and returns w after every step.
func runSteps(o Optimizer, w []float32, gs ...[]float32) [][]float32 {
	o = o.WithDefaults()
	u := newUpdater(o, len(w))
	var hist [][]float32
	for _, g := range gs {
		u.update(w, g, o.LearningRate)
		hist = append(hist, append([]float32(nil), w...))
	}
	return hist
}

func checkSteps(t *testing.T, name string, got [][]float32, want [][]float64) {
	t.Helper()
	for s := range want {
		for i := range want[s] {
			if math.Abs(float64(got[s][i])-want[s][i]) > 2e-7*(1+math.Abs(want[s][i])) {
				t.Errorf("%s: step %d, w[%d] = %.9g; want %.9g", name, s+1, i, got[s][i], want[s][i])
			}
		}
	}
}

// The expected values below are worked out by hand from the formulas in the
// doc comments (η = 0.1 throughout).

func TestSGD(t *testing.T) {
	g := []float32{0.5, 0.25}
	// w − η·g = [1 − 0.05, −2 − 0.025]
	checkSteps(t, "sgd", runSteps(Optimizer{Kind: SGD, LearningRate: 0.1}, []float32{1, -2}, g),
		[][]float64{{0.95, -2.025}})
	// λ = 0.1: g + λw = [0.6, 0.05] → [1 − 0.06, −2 − 0.005]
	checkSteps(t, "sgd+wd", runSteps(Optimizer{Kind: SGD, LearningRate: 0.1, WeightDecay: 0.1}, []float32{1, -2}, g),
		[][]float64{{0.94, -2.005}})
}

func TestMomentum(t *testing.T) {
	g1, g2 := []float32{0.5}, []float32{0.25}
	// μ = 0.9. Step 1: v = 0.5, w = 1 − 0.05 = 0.95.
	// Step 2: v = 0.9·0.5 + 0.25 = 0.7, w = 0.95 − 0.07 = 0.88.
	checkSteps(t, "momentum", runSteps(Optimizer{Kind: Momentum, LearningRate: 0.1}, []float32{1}, g1, g2),
		[][]float64{{0.95}, {0.88}})
	// Nesterov. Step 1: v = 0.5, w = 1 − 0.1·(0.5 + 0.9·0.5) = 0.905.
	// Step 2: v = 0.7, w = 0.905 − 0.1·(0.25 + 0.9·0.7) = 0.817.
	checkSteps(t, "nesterov", runSteps(Optimizer{Kind: Momentum, LearningRate: 0.1, Nesterov: true}, []float32{1}, g1, g2),
		[][]float64{{0.905}, {0.817}})
	// μ = 0.5, λ = 0.1. Step 1: g = 0.5 + 0.1 = 0.6, v = 0.6, w = 0.94.
	// Step 2: g = 0.25 + 0.094 = 0.344, v = 0.3 + 0.344 = 0.644, w = 0.94 − 0.0644 = 0.8756.
	checkSteps(t, "momentum+wd", runSteps(Optimizer{Kind: Momentum, LearningRate: 0.1, Momentum: 0.5, WeightDecay: 0.1},
		[]float32{1}, g1, g2), [][]float64{{0.94}, {0.8756}})
}

func TestAdam(t *testing.T) {
	o := Optimizer{Kind: Adam, LearningRate: 0.1} // β1 = 0.9, β2 = 0.999, ε = 1e-8
	// Step 1 with g = 0.5: m = 0.05, v = 0.00025; bias correction gives
	// m̂ = 0.5, v̂ = 0.25, so w = 1 − 0.1·0.5/(0.5 + 1e-8) ≈ 0.9: the first
	// step has length η whatever |g| (without the correction it would be
	// 0.1·0.05/√0.00025 ≈ 0.316).
	// Step 2 with g = 0.25: m = 0.045 + 0.025 = 0.07, v = 0.00024975 +
	// 0.0000625 = 0.00031225; m̂ = 0.07/0.19 = 0.368421, v̂ = 0.00031225/
	// 0.001999 = 0.156203, √v̂ = 0.395225, w = 0.9 − 0.1·0.368421/0.395225
	// = 0.806782.
	checkSteps(t, "adam", runSteps(o, []float32{1}, []float32{0.5}, []float32{0.25}),
		[][]float64{{0.900000002}, {0.80678204}})
	// A negative weight, three steps (the same formulas evaluated in float64).
	checkSteps(t, "adam 3 steps", runSteps(o, []float32{-2}, []float32{-3}, []float32{1}, []float32{0.5}),
		[][]float64{{-1.9}, {-1.85997814}, {-1.8394073}})
	// ε matters when |g| is tiny: w = 1 − 0.1·1e-9/(1e-9 + 1e-8) = 1 − 0.1/11.
	checkSteps(t, "adam eps", runSteps(o, []float32{1}, []float32{1e-9}), [][]float64{{0.990909091}})
	// λ = 0.5. Step 1: g = 0.5 + 0.5 = 1, w = 0.9. Step 2: g = 0.25 + 0.45
	// = 0.7, m = 0.09 + 0.07 = 0.16, v = 0.000999 + 0.00049 = 0.001489,
	// m̂ = 0.842105, v̂ = 0.744872, w = 0.9 − 0.1·0.842105/0.863060 = 0.802428.
	o.WeightDecay = 0.5
	checkSteps(t, "adam+wd", runSteps(o, []float32{1}, []float32{0.5}, []float32{0.25}),
		[][]float64{{0.900000001}, {0.80242795}})
}

func TestOptimizerDefaultsAndParse(t *testing.T) {
	o := Optimizer{Kind: Adam, LearningRate: 1e-3}.WithDefaults()
	if o.Momentum != 0.9 || o.Beta1 != 0.9 || o.Beta2 != 0.999 || o.Epsilon != 1e-8 {
		t.Errorf("WithDefaults = %+v", o)
	}
	if o := (Optimizer{Beta2: 0.99}).WithDefaults(); o.Beta2 != 0.99 {
		t.Errorf("WithDefaults overwrote Beta2: %v", o.Beta2)
	}
	for in, want := range map[string]OptimizerKind{"sgd": SGD, "Momentum": Momentum, " adam ": Adam} {
		if got, err := ParseOptimizer(in); err != nil || got != want {
			t.Errorf("ParseOptimizer(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseOptimizer("rmsprop"); err == nil {
		t.Error("ParseOptimizer(rmsprop) succeeded; want an error")
	}
}
