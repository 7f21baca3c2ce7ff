package ae

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
)

// TestLossValues checks each loss against its textbook formula in float64.
func TestLossValues(t *testing.T) {
	z := []float32{-2, -0.5, 0.1, 1.5, 3}
	y := []float32{0, 1, 0.3, 0.9, 1}
	p := make([]float32, len(z))
	copy(p, z)
	actSigmoid.forward(append([]float32(nil), z...), p, []float32{0})
	var mse, l1, bce float64
	for i := range z {
		pp, yy := 1/(1+math.Exp(-float64(z[i]))), float64(y[i])
		pf := float64(p[i])
		mse += (pf - yy) * (pf - yy)
		l1 += math.Abs(pf - yy)
		bce += -yy*math.Log(pp) - (1-yy)*math.Log(1-pp)
	}
	for _, tc := range []struct {
		loss lossKind
		want float64
	}{{lossMSE, mse}, {lossL1, l1}, {lossBCE, bce}} {
		got := lossSum(z, p, y, tc.loss)
		tol := 1e-12 // float64 sums of float32 values
		if tc.loss == lossBCE {
			tol = 1e-7 // BCE's softplus starts from a float32 e^−|z|
		}
		if math.Abs(got-tc.want) > tol*math.Abs(tc.want) {
			t.Errorf("loss %d: Σℓ = %.15g; want %.15g", tc.loss, got, tc.want)
		}
	}
}

// TestOutputGradient checks the fused loss gradient ∂L/∂z of the output
// layer against finite differences, for every loss and output activation
// the engine accepts, and that it returns the same sum as lossSum.
func TestOutputGradient(t *testing.T) {
	// Logits away from 0 (ReLU kinks) and targets away from the outputs
	// (the L1 kink at p = y).
	z0 := []float64{-2.1, -1.3, -0.6, -0.35, 0.4, 0.7, 1.2, 2.3, -0.9, 0.55, 1.7, -1.6}
	y := []float32{0.9, 0.05, 0.6, 0.95, 0.1, 0.2, 0.35, 0.4, 0.75, 0.0, 1.0, 0.5}
	const scale = 1.0 / 12
	settings := &fd.Settings{Formula: fd.Central, Step: 1.0 / 256}
	for _, loss := range Losses() {
		lk, _ := loss.kind()
		for _, out := range Activations() {
			if loss == BCE && out != Sigmoid {
				continue
			}
			ak, _ := out.kind()
			zero := make([]float32, 1)
			value := func(zv []float64) float64 {
				z, p := make([]float32, len(zv)), make([]float32, len(zv))
				for i, v := range zv {
					z[i] = float32(v)
				}
				for i := range z {
					ak.forward(z[i:i+1], p[i:i+1], zero)
				}
				return scale * lossSum(z, p, y, lk)
			}
			want := fd.Gradient(nil, value, z0, settings)

			z, p, dz := make([]float32, len(z0)), make([]float32, len(z0)), make([]float32, len(z0))
			for i, v := range z0 {
				z[i] = float32(v)
			}
			for i := range z {
				ak.forward(z[i:i+1], p[i:i+1], zero)
			}
			sum := outputGrad(dz, z, p, y, lk, ak, scale)
			if s := lossSum(z, p, y, lk); s != sum {
				t.Errorf("%s/%s: outputGrad returned Σℓ = %v, lossSum %v", loss, out, sum, s)
			}
			worst, at := gradError(to64(dz), want, 1e-2)
			if worst > 1e-3 {
				t.Errorf("%s/%s: ∂L/∂z[%d] = %v; finite difference %v (error %.1e)", loss, out, at, dz[at], want[at], worst)
			}
			t.Logf("%s/%-10s worst error %.1e", loss, out, worst)
		}
	}
}

// TestBCESaturated checks that BCE stays exact, finite and NaN-free when the
// sigmoid saturates (p rounds to exactly 0 or 1 in float32), where the naive
// −y·log p − (1−y)·log(1−p) gives Inf or NaN.
func TestBCESaturated(t *testing.T) {
	e100 := math.Exp(-100)
	for _, tc := range []struct {
		z, y, loss float32
		want       float64
	}{
		{z: 100, y: 0, want: 100},
		{z: 100, y: 1, want: e100},
		{z: -100, y: 1, want: 100},
		{z: -100, y: 0, want: e100},
		{z: 1000, y: 0.5, want: 500},
		{z: -1000, y: 0.25, want: 250}, // −y·log σ(z) = 0.25·1000; log(1 − σ(z)) = 0
		{z: 30, y: 1, want: math.Log1p(math.Exp(-30))},
	} {
		z, p, y, dz := []float32{tc.z}, []float32{0}, []float32{tc.y}, []float32{0}
		actSigmoid.forward(z, p, []float32{0})
		got := outputGrad(dz, z, p, y, lossBCE, actSigmoid, 1)
		// Exact where the float64 part max(z, 0) − z·y is all of it; the
		// softplus tail, from a float32 e^−|z|, is within 1e-7 of itself.
		if math.IsNaN(got) || math.IsInf(got, 0) || math.Abs(got-tc.want) > 1e-12*tc.want+1e-7*math.Log1p(math.Exp(-math.Abs(float64(tc.z))))+1e-44 {
			t.Errorf("BCE(z=%v, y=%v) = %v; want %v", tc.z, tc.y, got, tc.want)
		}
		// ∂ℓ/∂z = σ(z) − y, by finite differences of the float64 value.
		want := fd.Derivative(func(z float64) float64 { return bceValue(float32(z), tc.y) },
			float64(tc.z), &fd.Settings{Formula: fd.Central, Step: 1.0 / 64})
		if math.IsNaN(float64(dz[0])) || math.Abs(float64(dz[0])-want) > 1e-6 {
			t.Errorf("∂BCE/∂z(z=%v, y=%v) = %v; finite difference %v", tc.z, tc.y, dz[0], want)
		}
	}
}

func TestParseLoss(t *testing.T) {
	for in, want := range map[string]Loss{"mse": MSE, "BCE": BCE, " l1": L1} {
		if got, err := ParseLoss(in); err != nil || got != want {
			t.Errorf("ParseLoss(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseLoss("huber"); err == nil {
		t.Error("ParseLoss(huber) succeeded; want an error")
	}
}

// TestBCESaturatedNetwork drives a whole network into saturation (output
// logits in the hundreds) and checks that training with BCE keeps the loss,
// the gradients and the weights finite.
func TestBCESaturatedNetwork(t *testing.T) {
	c := smallConfig()
	c.Loss = BCE
	m := mustNew(t, c)
	last := m.layers[len(m.layers)-1]
	for i := range last.w {
		last.w[i] *= 1000
	}
	x := uniformData(1, 8, 6, 0, 1)
	for i := range x { // binary targets: the worst case for log(0)
		x[i] = float32(math.Round(float64(x[i])))
	}
	m.EvalLoss(x, nil, 8)
	maxLogit := 0.0
	for _, z := range m.eval.z[len(m.layers)-1][:8*6] {
		maxLogit = max(maxLogit, math.Abs(float64(z)))
	}
	if maxLogit < 100 {
		t.Fatalf("largest |logit| %v; the test needs saturated outputs", maxLogit)
	}
	for s := 0; s < 3; s++ {
		loss := m.TrainStep(x, nil, 8)
		if math.IsNaN(loss) || math.IsInf(loss, 0) || loss <= 0 {
			t.Fatalf("step %d: loss %v", s, loss)
		}
		for i, g := range m.grads {
			if math.IsNaN(float64(g)) || math.IsInf(float64(g), 0) {
				t.Fatalf("step %d: gradient %d is %v", s, i, g)
			}
		}
	}
	t.Logf("largest |logit| %.0f; loss stays finite", maxLogit)
}

// TestSoftplusTail compares softplusTail(z) with log(1 + e^−|z|) in float64
// over z from −110 to 110: within one float32 ulp of the value (e^−|z| is a
// float32), or 2⁻¹⁴⁹ (the smallest subnormal) where e^−|z| is subnormal.
func TestSoftplusTail(t *testing.T) {
	worst := 0.0
	for i := -110000; i <= 110000; i++ {
		z := float32(i) / 1000
		want := math.Log1p(math.Exp(-math.Abs(float64(z))))
		got := softplusTail(z)
		ulp := float64(math.Nextafter32(float32(want), 1)) - float64(float32(want))
		err := math.Abs(got-want) / max(ulp, math.SmallestNonzeroFloat32)
		worst = max(worst, err)
		if err > 1 {
			t.Fatalf("softplusTail(%v) = %v; want %v (%.1f ulp)", z, got, want, err)
		}
	}
	t.Logf("worst error %.2f ulp", worst)
}
