package ae

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
)

// activationRef gives each activation's value from its textbook formula in
// float64, independent of activation.go.
var activationRef = map[Activation]func(z float64) float64{
	Linear:    func(z float64) float64 { return z },
	ReLU:      func(z float64) float64 { return math.Max(0, z) },
	LeakyReLU: func(z float64) float64 { return math.Max(z, 0.01*z) },
	ELU: func(z float64) float64 {
		if z > 0 {
			return z
		}
		return math.Exp(z) - 1
	},
	Tanh:    math.Tanh,
	Sigmoid: func(z float64) float64 { return 1 / (1 + math.Exp(-z)) },
}

// TestActivationForward checks f(z + b) against the textbook formulas, with
// the bias broadcast over rows, and a separate output buffer.
func TestActivationForward(t *testing.T) {
	zs := []float64{-40, -3, -1, -0.25, 0, 0.25, 1, 3, 40}
	b := []float32{0.5, -0.5, 0}
	for _, act := range Activations() {
		k, _ := act.kind()
		z := make([]float32, 0, len(zs)*len(b))
		for _, v := range zs {
			z = append(z, float32(v), float32(v), float32(v))
		}
		a := make([]float32, len(z))
		k.forward(z, a, b)
		for i := range z {
			want := float32(zs[i/3]) + b[i%3]
			if z[i] != want {
				t.Fatalf("%s: z[%d] = %v after adding the bias; want %v", act, i, z[i], want)
			}
			ref := activationRef[act](float64(want))
			if math.Abs(float64(a[i])-ref) > 1e-6*(1+math.Abs(ref)) {
				t.Errorf("%s(%v) = %v; want %v", act, want, a[i], ref)
			}
		}
	}
}

// TestActivationBackward checks every f' against a central finite difference
// of f, at points away from the kink at 0.
func TestActivationBackward(t *testing.T) {
	settings := &fd.Settings{Formula: fd.Central, Step: 1.0 / 256}
	for _, act := range Activations() {
		k, _ := act.kind()
		f := func(z float64) float64 {
			zz, a := []float32{float32(z)}, []float32{0}
			k.forward(zz, a, []float32{0})
			return float64(a[0])
		}
		worst := 0.0
		for _, z0 := range []float64{-4, -2.5, -1.1, -0.3, -0.05, 0.05, 0.3, 0.9, 2.5, 4} {
			z0 = float64(float32(z0))
			want := fd.Derivative(f, z0, settings)
			z, a := []float32{float32(z0)}, []float32{0}
			k.forward(z, a, []float32{0})
			d := []float32{1}
			k.backward(d, z, a)
			// float32 rounding of f (~6e-8) divided by the step bounds the
			// absolute accuracy of the difference near 1e-5, hence the 1e-2.
			e := math.Abs(float64(d[0])-want) / (math.Abs(want) + 1e-2)
			worst = max(worst, e)
			if e > 1e-3 {
				t.Errorf("%s'(%v) = %v; finite difference %v", act, z0, d[0], want)
			}
		}
		t.Logf("%-10s worst relative error of f' vs finite difference: %.1e", act, worst)
	}
}

// TestActivationKinkAndSaturation pins the conventions at z = 0 and the
// behaviour far out, where a naive formula would give NaN or Inf.
func TestActivationKinkAndSaturation(t *testing.T) {
	deriv := func(act Activation, z0 float32) (a, d float32) {
		k, _ := act.kind()
		z, out := []float32{z0}, []float32{0}
		k.forward(z, out, []float32{0})
		dd := []float32{1}
		k.backward(dd, z, out)
		return out[0], dd[0]
	}
	for _, tc := range []struct {
		act        Activation
		z, a, dadz float32
	}{
		{ReLU, 0, 0, 0},
		{LeakyReLU, 0, 0, 0.01},
		{LeakyReLU, -2, -0.02, 0.01},
		{ELU, 0, 0, 1},
		{Sigmoid, 0, 0.5, 0.25},
		{Tanh, 0, 0, 1},
		{Sigmoid, 200, 1, 0},
		{Sigmoid, -200, 0, 0},
		{Tanh, -200, -1, 0},
		{ELU, -200, -1, 0},
	} {
		a, d := deriv(tc.act, tc.z)
		if a != tc.a || d != tc.dadz {
			t.Errorf("%s at %v: f = %v, f' = %v; want %v, %v", tc.act, tc.z, a, d, tc.a, tc.dadz)
		}
	}
}

func TestParseActivation(t *testing.T) {
	for in, want := range map[string]Activation{
		"relu": ReLU, " ReLU ": ReLU, "leaky_relu": LeakyReLU, "Leaky-ReLU": LeakyReLU,
		"elu": ELU, "TANH": Tanh, "sigmoid": Sigmoid, "linear": Linear,
	} {
		got, err := ParseActivation(in)
		if err != nil || got != want {
			t.Errorf("ParseActivation(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "softmax", "re lu x"} {
		if _, err := ParseActivation(in); err == nil {
			t.Errorf("ParseActivation(%q) succeeded; want an error", in)
		}
	}
}
