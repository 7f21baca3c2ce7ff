package ae

import (
	"math"
	"slices"
	"testing"
)

// TestInit checks the initialisation statistics: He normal (std √(2/fan_in))
// for ReLU layers, Glorot uniform (|w| ≤ √(6/(fan_in+fan_out)), std a/√3)
// for the sigmoid output layer, zero biases, and reproducibility from Seed.
func TestInit(t *testing.T) {
	c := smallConfig()
	c.Sizes, c.Bottleneck, c.Hidden = []int{400, 300, 20, 300, 400}, 2, ReLU
	m := mustNew(t, c)
	stats := func(w []float32) (mean, std, maxAbs float64) {
		for _, v := range w {
			mean += float64(v)
			maxAbs = max(maxAbs, math.Abs(float64(v)))
		}
		mean /= float64(len(w))
		for _, v := range w {
			std += (float64(v) - mean) * (float64(v) - mean)
		}
		return mean, math.Sqrt(std / float64(len(w))), maxAbs
	}
	mean, std, _ := stats(m.layers[0].w)
	if want := math.Sqrt(2.0 / 400); math.Abs(std/want-1) > 0.02 || math.Abs(mean) > 0.01*want {
		t.Errorf("He layer: mean %.2g, std %.4g; want 0, %.4g", mean, std, want)
	}
	mean, std, maxAbs := stats(m.layers[3].w)
	a := math.Sqrt(6.0 / 700)
	if math.Abs(std/(a/math.Sqrt(3))-1) > 0.02 || maxAbs > a || maxAbs < 0.99*a || math.Abs(mean) > 0.01*a {
		t.Errorf("Glorot layer: mean %.2g, std %.4g, max %.4g; want 0, %.4g, ≤ %.4g", mean, std, maxAbs, a/math.Sqrt(3), a)
	}
	for i, l := range m.layers {
		if slices.ContainsFunc(l.b, func(v float32) bool { return v != 0 }) {
			t.Errorf("layer %d: non-zero initial bias", i)
		}
	}
	if m2 := mustNew(t, c); !slices.Equal(m.params, m2.params) {
		t.Error("same seed, different initial weights")
	}
	c.Seed++
	if m3 := mustNew(t, c); slices.Equal(m.params, m3.params) {
		t.Error("different seeds, same initial weights")
	}
}

// TestInference checks Encode, Decode and Reconstruct against each other,
// across evaluation chunks (600 rows = 256 + 256 + 88) and against a
// row-at-a-time evaluation.
func TestInference(t *testing.T) {
	c := smallConfig()
	m := mustNew(t, c)
	x := uniformData(7, 600, 6, 0, 1)
	for s := 0; s < 20; s++ { // move away from the initial weights
		m.TrainStep(x[:8*6], nil, 8)
	}
	const n = 600
	codes, rec, dec := make([]float32, n*3), make([]float32, n*6), make([]float32, n*6)
	m.Encode(codes, x, n)
	m.Decode(dec, codes, n)
	m.Reconstruct(rec, x, n)
	if !slices.Equal(rec, dec) {
		t.Error("Reconstruct(x) ≠ Decode(Encode(x))")
	}
	code1, rec1 := make([]float32, 3), make([]float32, 6)
	for _, i := range []int{0, 255, 256, 511, 512, 599} {
		m.Encode(code1, x[i*6:(i+1)*6], 1)
		m.Reconstruct(rec1, x[i*6:(i+1)*6], 1)
		for j := range code1 {
			if math.Abs(float64(code1[j]-codes[i*3+j])) > 1e-6 {
				t.Fatalf("row %d: code %v alone, %v in a batch", i, code1, codes[i*3:i*3+3])
			}
		}
		for j := range rec1 {
			if math.Abs(float64(rec1[j]-rec[i*6+j])) > 1e-6 {
				t.Fatalf("row %d: reconstruction %v alone, %v in a batch", i, rec1, rec[i*6:i*6+6])
			}
		}
	}
	// The reconstruction error from Reconstruct agrees with EvalLoss.
	var sum float64
	for i := range rec {
		d := float64(rec[i]) - float64(x[i])
		sum += d * d
	}
	if got, want := m.EvalLoss(x, nil, n), sum/float64(len(x)); math.Abs(got-want) > 1e-12 {
		t.Errorf("EvalLoss = %v; mean squared reconstruction error %v", got, want)
	}
	m.Encode(nil, nil, 0) // n = 0 is a no-op
}

// TestTrainStepLoss checks that TrainStep returns the loss before its update,
// that target nil means x, and that it counts steps.
func TestTrainStepLoss(t *testing.T) {
	for _, loss := range Losses() {
		c := smallConfig()
		c.Loss = loss
		m1, m2 := mustNew(t, c), mustNew(t, c)
		x := uniformData(3, 8, 6, 0, 1)
		first := m1.EvalLoss(x, nil, 8)
		for s := 0; s < 5; s++ {
			before := m1.EvalLoss(x, nil, 8)
			got := m1.TrainStep(x, nil, 8)
			if math.Abs(got-before) > 1e-6*before {
				t.Errorf("%s step %d: TrainStep returned %v; EvalLoss before the step %v", loss, s, got, before)
			}
			if got2 := m2.TrainStep(x, x, 8); got2 != got {
				t.Errorf("%s: TrainStep(x, x) = %v, TrainStep(x, nil) = %v", loss, got2, got)
			}
		}
		if after := m1.EvalLoss(x, nil, 8); !(after < first) {
			t.Errorf("%s: loss went from %v to %v in 5 steps on the same batch", loss, first, after)
		}
		if m1.Steps() != 5 {
			t.Errorf("Steps = %d; want 5", m1.Steps())
		}
	}
}

// TestSetLearningRate checks that the learning rate scales the SGD update.
func TestSetLearningRate(t *testing.T) {
	c := smallConfig()
	c.Optimizer = Optimizer{Kind: SGD, LearningRate: 0.01}
	m1, m2 := mustNew(t, c), mustNew(t, c)
	m2.SetLearningRate(0.04)
	if m2.LearningRate() != 0.04 || m2.Config().Optimizer.LearningRate != 0.04 {
		t.Fatalf("LearningRate = %v", m2.LearningRate())
	}
	x := uniformData(4, 8, 6, 0, 1)
	w0 := slices.Clone(m1.params)
	m1.TrainStep(x, nil, 8)
	m2.TrainStep(x, nil, 8)
	for i := range w0 {
		d1, d2 := float64(m1.params[i]-w0[i]), float64(m2.params[i]-w0[i])
		if math.Abs(d2-4*d1) > 1e-6 {
			t.Fatalf("param %d moved by %v with lr 0.01 and %v with lr 0.04", i, d1, d2)
		}
	}
}

func TestConfigCopy(t *testing.T) {
	c := smallConfig()
	m := mustNew(t, c)
	c.Sizes[1] = 99 // the model keeps its own copy
	got := m.Config()
	got.Sizes[2] = 99
	if m.cfg.Sizes[1] != 4 || m.cfg.Sizes[2] != 3 {
		t.Error("Model shares Sizes with the caller")
	}
	if got.Optimizer.Beta2 != DefaultBeta2 {
		t.Errorf("Config().Optimizer.Beta2 = %v; want the default filled in", got.Optimizer.Beta2)
	}
}

func TestShapePanics(t *testing.T) {
	m := mustNew(t, smallConfig())
	x := make([]float32, 9*6)
	mustPanic(t, "BatchSize = 8", func() { m.TrainStep(x, nil, 9) })
	mustPanic(t, "n = 0", func() { m.TrainStep(x[:0], nil, 0) })
	mustPanic(t, "len(x) = 54", func() { m.TrainStep(x, nil, 8) })
	mustPanic(t, "len(target) = 6", func() { m.TrainStep(x[:48], x[:6], 8) })
	mustPanic(t, "len(dst) = 5", func() { m.Encode(make([]float32, 5), x, 9) })
	mustPanic(t, "len(input) = 54", func() { m.Decode(make([]float32, 54), x, 9) })
	mustPanic(t, "EvalLoss: n = 0", func() { m.EvalLoss(nil, nil, 0) })
	mustPanic(t, "learning rate", func() { m.SetLearningRate(-1) })
	mustPanic(t, "SetWorkers", func() { m.SetWorkers(-1) })
}

// TestEvaluationDoesNotDisturbTraining interleaves evaluation calls with
// training (with BatchSize ≥ evalRows they share buffers) and requires the
// same loss history as uninterrupted training.
func TestEvaluationDoesNotDisturbTraining(t *testing.T) {
	for _, batch := range []int{8, evalRows} {
		c := smallConfig()
		c.BatchSize = batch
		x := uniformData(9, 2*batch, 6, 0, 1)
		plain, mixed := mustNew(t, c), mustNew(t, c)
		codes := make([]float32, 2*batch*3)
		for s := 0; s < 5; s++ {
			want := plain.TrainStep(x[:batch*6], nil, batch)
			mixed.Encode(codes, x, 2*batch)
			mixed.EvalLoss(x, nil, 2*batch)
			if got := mixed.TrainStep(x[:batch*6], nil, batch); got != want {
				t.Fatalf("BatchSize %d, step %d: loss %v with evaluations in between, %v without", batch, s, got, want)
			}
		}
	}
}
