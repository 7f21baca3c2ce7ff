package ae

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
)

// newTestLayer returns a dense layer with its own parameter slices filled
// with values in [−1, 1).
func newTestLayer(in, out int, act actKind, seed uint64) *dense {
	p := uniformData(seed, 1, in*out+out, -1, 1)
	return &dense{in: in, out: out, act: act,
		w: p[:in*out], b: p[in*out:],
		gw: make([]float32, in*out), gb: make([]float32, out)}
}

// TestDenseForward compares z = x·W + b and a = f(z) with a float64 loop.
func TestDenseForward(t *testing.T) {
	const n, in, out = 5, 7, 3
	l := newTestLayer(in, out, actSigmoid, 1)
	x := uniformData(2, n, in, -1, 1)
	z, a := make([]float32, n*out), make([]float32, n*out)
	l.forward(z, a, x, n, 1)
	for i := 0; i < n; i++ {
		for j := 0; j < out; j++ {
			s := float64(l.b[j])
			for k := 0; k < in; k++ {
				s += float64(x[i*in+k]) * float64(l.w[k*out+j])
			}
			if math.Abs(float64(z[i*out+j])-s) > 1e-5 {
				t.Fatalf("z[%d,%d] = %v; want %v", i, j, z[i*out+j], s)
			}
			if want := 1 / (1 + math.Exp(-s)); math.Abs(float64(a[i*out+j])-want) > 1e-6 {
				t.Fatalf("a[%d,%d] = %v; want %v", i, j, a[i*out+j], want)
			}
		}
	}
}

// TestDenseBackward checks ∂/∂W, ∂/∂b and ∂/∂x of a dense layer against
// finite differences of the scalar Σ c⊙f(x·W + b) for a fixed random c.
func TestDenseBackward(t *testing.T) {
	const n, in, out = 4, 5, 3
	c := uniformData(3, n, out, -1, 1)
	for _, name := range []Activation{Linear, Tanh, Sigmoid, ELU} {
		act, _ := name.kind()
		l := newTestLayer(in, out, act, 4)
		x := uniformData(5, n, in, -1, 1)
		// θ = [W, b, x] as one float64 vector.
		theta := to64(append(append(append([]float32(nil), l.w...), l.b...), x...))
		objective := func(th []float64) float64 {
			for i := range l.w {
				l.w[i] = float32(th[i])
			}
			for i := range l.b {
				l.b[i] = float32(th[len(l.w)+i])
			}
			xx := make([]float32, n*in)
			for i := range xx {
				xx[i] = float32(th[len(l.w)+len(l.b)+i])
			}
			z, a := make([]float32, n*out), make([]float32, n*out)
			l.forward(z, a, xx, n, 1)
			s := 0.0
			for i := range a {
				s += float64(c[i]) * float64(a[i])
			}
			return s
		}
		want := fd.Gradient(nil, objective, theta, &fd.Settings{Formula: fd.Central, Step: 1.0 / 64})
		objective(theta) // restore W and b

		z, a := make([]float32, n*out), make([]float32, n*out)
		l.forward(z, a, x, n, 1)
		d := append([]float32(nil), c...) // ∂/∂a of Σ c⊙a
		l.act.backward(d, z, a)           // → ∂/∂z
		dx := make([]float32, n*in)
		l.backward(dx, d, x, n, 1)
		got := to64(append(append(append([]float32(nil), l.gw...), l.gb...), dx...))
		worst, at := gradError(got, want, 1e-2)
		if worst > 2e-3 {
			t.Errorf("%s: gradient[%d] = %v; finite difference %v (error %.1e)", name, at, got[at], want[at], worst)
		}
		t.Logf("%-7s worst error %.1e over %d partial derivatives", name, worst, len(got))
	}
}

func TestColSums(t *testing.T) {
	dst := make([]float32, 3)
	colSums(dst, []float32{1, 2, 3, 10, 20, 30, 100, 200, 300})
	if dst[0] != 111 || dst[1] != 222 || dst[2] != 333 {
		t.Errorf("colSums = %v; want [111 222 333]", dst)
	}
}
