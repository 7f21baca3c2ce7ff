package analysis

import (
	"errors"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
)

func TestSoftmaxGradient(t *testing.T) {
	const n, d, c = 20, 4, 3
	rng := newRNG(21)
	x := make([]float64, n*d)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	y := make([]int, n)
	for i := range y {
		y[i] = rng.IntN(c)
	}
	obj := newSoftmaxObjective(x, y, n, d, c, 0.3)
	w := make([]float64, (d+1)*c)
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	g := make([]float64, len(w))
	loss := obj.eval(g, w)
	if got := obj.eval(nil, w); got != loss {
		t.Errorf("loss with gradient %g, without %g", loss, got)
	}
	want := fd.Gradient(nil, func(w []float64) float64 { return obj.eval(nil, w) }, w,
		&fd.Settings{Formula: fd.Central, Step: 1e-5})
	for i := range g {
		if !near(g[i], want[i], 1e-7*(1+math.Abs(want[i]))) {
			t.Errorf("∂L/∂w[%d] = %.10g; finite differences give %.10g", i, g[i], want[i])
		}
	}
	// At w = 0 every class has probability 1/c: the loss is log c.
	if got := obj.eval(nil, make([]float64, len(w))); !near(got, math.Log(c), 1e-12) {
		t.Errorf("loss at zero = %g; want log %d = %g", got, c, math.Log(c))
	}
}

func TestLogRegSeparableBlobs(t *testing.T) {
	const d, classes, ntr, nte = 10, 5, 200, 2000
	xtr, ytr := blobs(31, ntr, d, classes, 4, 0.7)
	xte, yte := blobs(32, nte, d, classes, 4, 0.7)
	m, err := FitLogReg(xtr, ytr, ntr, d, 1e-3, 200)
	if err != nil {
		t.Fatal(err)
	}
	pred := make([]int, nte)
	m.Predict(pred, xte, nte)
	if acc := Accuracy(pred, yte); acc < 0.99 {
		t.Errorf("test accuracy %g on separable blobs; want ≥ 0.99", acc)
	}
	if m.Classes() != classes || m.Iterations() < 1 || m.Iterations() > 200 {
		t.Errorf("Classes %d, Iterations %d", m.Classes(), m.Iterations())
	}
	// Training reached the optimum: the gradient of the objective is ~0.
	obj := newSoftmaxObjective(m.standardise(nil, xtr, ntr), ytr, ntr, d, classes, 1e-3)
	g := make([]float64, len(m.w))
	loss := obj.eval(g, m.w)
	if norm := floats.Norm(g, 2); norm > 1e-4 {
		t.Errorf("gradient norm %g at the trained weights; want ≈ 0", norm)
	}
	if !near(loss, m.Loss(), 1e-12) || loss > 0.1 {
		t.Errorf("final loss %g (reported %g); want the same, and small", loss, m.Loss())
	}
	// Probabilities are a distribution, and Predict takes their argmax.
	p := make([]float64, 3*classes)
	m.Probabilities(p, xte[:3*d], 3)
	for i := range 3 {
		row := p[i*classes : (i+1)*classes]
		if !near(floats.Sum(row), 1, 1e-12) || floats.MaxIdx(row) != pred[i] {
			t.Errorf("example %d: probabilities %v, predicted %d", i, row, pred[i])
		}
	}
}

func TestLogRegDeterministicAndStandardised(t *testing.T) {
	const d, classes, n = 6, 3, 90
	x, y := blobs(41, n, d, classes, 2, 1)
	// A constant feature far from 0, and a feature in huge units.
	for i := range n {
		x[i*d+4] = 1e4
		x[i*d+5] *= 1e4
	}
	fit := func() []float64 {
		m, err := FitLogReg(x, y, n, d, 1e-2, 50)
		if err != nil {
			t.Fatal(err)
		}
		p := make([]float64, n*classes)
		m.Probabilities(p, x, n)
		return p
	}
	a, b := fit(), fit()
	if !slices.Equal(a, b) {
		t.Error("two fits of the same data differ")
	}
	for i, v := range a {
		if math.IsNaN(v) {
			t.Fatalf("probability %d is NaN", i)
		}
	}
	m, _ := FitLogReg(x, y, n, d, 1e-2, 50)
	if m.scale[4] != 1 || math.Abs(m.scale[5]-1e-4) > 1e-4 {
		t.Errorf("scales %v: want 1 for the constant feature, ≈1e-4 for the big one", m.scale)
	}
}

func TestLogRegErrors(t *testing.T) {
	x, y := []float32{0, 1, 2, 3}, []int{0, 1, 0, 1}
	for _, tc := range []struct {
		labels  []int
		n       int
		lambda  float64
		maxIter int
	}{
		{y, 4, -1, 10},
		{y, 4, math.NaN(), 10},
		{y, 4, math.Inf(1), 10},
		{y, 4, 0.1, 0},
		{[]int{0, 1, -1, 1}, 4, 0.1, 10},
		{[]int{}, 0, 0.1, 10},
	} {
		if _, err := FitLogReg(x[:tc.n], tc.labels, tc.n, 1, tc.lambda, tc.maxIter); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%+v: err = %v; want ErrInvalidInput", tc, err)
		}
	}
	inf := []float32{0, 1, float32(math.Inf(-1)), 3}
	if _, err := FitLogReg(inf, y, 4, 1, 0.1, 10); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("infinite feature: err = %v; want ErrInvalidInput", err)
	}
	mustPanic(t, "len(labels)", func() { FitLogReg(x, y[:3], 4, 1, 0.1, 10) })
}

// BenchmarkFitLogRegPixels fits 10 classes on 1,000 raw 784-pixel inputs,
// the largest probe of the feature-extraction lab.
func BenchmarkFitLogRegPixels(b *testing.B) {
	const n, d, classes = 1000, 784, 10
	x, y := blobs(51, n, d, classes, 1, 1)
	for b.Loop() {
		if _, err := FitLogReg(x, y, n, d, 1e-3, 100); err != nil {
			b.Fatal(err)
		}
	}
}
