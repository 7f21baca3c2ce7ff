package analysis

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// newRNG returns a PCG seeded by seed, for reproducible test data.
func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// blobs returns n points in d dimensions around `classes` centres placed
// `gap` apart on distinct axes (centre c is gap·e_c, so d ≥ classes), with
// isotropic Gaussian spread, and their class labels (i mod classes).
func blobs(seed uint64, n, d, classes int, gap, spread float64) ([]float32, []int) {
	rng := newRNG(seed)
	x := make([]float32, n*d)
	labels := make([]int, n)
	for i := range n {
		c := i % classes
		labels[i] = c
		for j := range d {
			v := spread * rng.NormFloat64()
			if j == c {
				v += gap
			}
			x[i*d+j] = float32(v)
		}
	}
	return x, labels
}

// mustPanic fails t unless f panics with a message containing want.
func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Fatalf("no panic; want one mentioning %q", want)
		}
		if msg, _ := r.(string); !strings.Contains(msg, want) {
			t.Fatalf("panic %v; want it to mention %q", r, want)
		}
	}()
	f()
}

// near reports whether a and b agree to within tol.
func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }
