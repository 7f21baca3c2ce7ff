package ae

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// uniformData returns n×k values uniform in [lo, hi), from a PCG seeded by seed.
func uniformData(seed uint64, n, k int, lo, hi float64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]float32, n*k)
	for i := range x {
		x[i] = float32(lo + (hi-lo)*rng.Float64())
	}
	return x
}

// lowRankData returns n×k rows x = u·B + noise·ε + offset, with u (n×rank),
// B (rank×k) and ε standard normal: a rank-`rank` signal plus isotropic noise.
func lowRankData(seed uint64, n, k, rank int, noise float64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 2))
	b := make([]float64, rank*k)
	for i := range b {
		b[i] = rng.NormFloat64()
	}
	offset := make([]float64, k)
	for j := range offset {
		offset[j] = rng.Float64()
	}
	x := make([]float32, n*k)
	u := make([]float64, rank)
	for i := 0; i < n; i++ {
		for r := range u {
			u[r] = rng.NormFloat64()
		}
		for j := 0; j < k; j++ {
			v := offset[j] + noise*rng.NormFloat64()
			for r := range u {
				v += u[r] * b[r*k+j]
			}
			x[i*k+j] = float32(v)
		}
	}
	return x
}

// factorData returns n×k values in (0, 1): sigmoids of a few random factors
// mixed linearly, a smooth nonlinear manifold an autoencoder can learn.
func factorData(seed uint64, n, k, factors int) []float32 {
	rng := rand.New(rand.NewPCG(seed, 3))
	mix := make([]float64, factors*k)
	for i := range mix {
		mix[i] = 2 * rng.NormFloat64()
	}
	x := make([]float32, n*k)
	u := make([]float64, factors)
	for i := 0; i < n; i++ {
		for f := range u {
			u[f] = rng.NormFloat64()
		}
		for j := 0; j < k; j++ {
			s := 0.0
			for f := range u {
				s += u[f] * mix[f*k+j]
			}
			x[i*k+j] = float32(1 / (1 + math.Exp(-s)))
		}
	}
	return x
}

// to64 converts a float32 slice to float64.
func to64(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

// gradError compares an analytic gradient with a numerical one. Each
// component's error is measured relative to |want_i| + floor·max|want|, so
// components that are tiny compared with the gradient as a whole are judged
// on an absolute scale (float32 cannot resolve them relatively). It returns
// the worst such error and its index.
func gradError(got, want []float64, floor float64) (worst float64, at int) {
	scale := 0.0
	for _, w := range want {
		scale = max(scale, math.Abs(w))
	}
	for i := range got {
		e := math.Abs(got[i]-want[i]) / (math.Abs(want[i]) + floor*scale + 1e-30)
		if e > worst || math.IsNaN(e) {
			worst, at = e, i
		}
	}
	return worst, at
}

// mustPanic fails the test unless f panics with a message containing want.
func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Fatalf("no panic; want one mentioning %q", want)
		}
		if msg, _ := r.(string); !strings.Contains(msg, want) {
			t.Fatalf("panic %q; want one mentioning %q", r, want)
		}
	}()
	f()
}

// smallConfig is a valid configuration the tests modify.
func smallConfig() Config {
	return Config{
		Sizes:      []int{6, 4, 3, 4, 6},
		Bottleneck: 2,
		Hidden:     Tanh,
		Output:     Sigmoid,
		Loss:       MSE,
		Optimizer:  Optimizer{Kind: Adam, LearningRate: 1e-2},
		BatchSize:  8,
		Seed:       1,
		Workers:    1,
	}
}

// mustNew builds a model or fails the test.
func mustNew(t testing.TB, c Config) *Model {
	t.Helper()
	m, err := New(c)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return m
}
