package analysis

import (
	"math"
	"slices"
	"testing"
)

func TestCompressionOf(t *testing.T) {
	c := CompressionOf(784, 50, 8)
	if c.InputBits != 6272 || c.LatentBits != 1600 || c.QuantizedBits != 400 || c.QuantBits != 8 {
		t.Errorf("got %+v; want 6272, 1600 and 400 bits", c)
	}
	if !near(c.LatentRatio(), 3.92, 1e-12) || !near(c.QuantizedRatio(), 15.68, 1e-12) {
		t.Errorf("ratios %g and %g; want 3.92 and 15.68", c.LatentRatio(), c.QuantizedRatio())
	}
	// A float32 code wider than K/4 takes more room than the bytes.
	if r := CompressionOf(784, 256, 8).LatentRatio(); r >= 1 {
		t.Errorf("256 float32s vs 784 bytes: ratio %g; want < 1", r)
	}
	mustPanic(t, "bits per latent value", func() { CompressionOf(784, 50, 0) })
	mustPanic(t, "want both ≥ 1", func() { CompressionOf(0, 50, 8) })
}

func TestQuantizeLatent(t *testing.T) {
	const n, m, bits = 500, 3, 4
	rng := newRNG(81)
	z := make([]float32, n*m)
	for i := range n {
		z[i*m] = float32(rng.NormFloat64())        // unit 0: spread
		z[i*m+1] = float32(10 + 100*rng.Float64()) // unit 1: another range
		z[i*m+2] = 0.25                            // unit 2: dead
	}
	dst := make([]float32, n*m)
	lo, hi := QuantizeLatent(dst, z, n, m, bits)
	levels := float64(int(1)<<bits - 1)
	for j := range m {
		mn, mx := z[j], z[j]
		distinct := map[float32]bool{}
		for i := range n {
			mn, mx = min(mn, z[i*m+j]), max(mx, z[i*m+j])
			distinct[dst[i*m+j]] = true
		}
		if lo[j] != mn || hi[j] != mx {
			t.Errorf("unit %d: range [%g, %g]; want [%g, %g]", j, lo[j], hi[j], mn, mx)
		}
		if len(distinct) > 1<<bits {
			t.Errorf("unit %d: %d distinct values; %d bits allow %d", j, len(distinct), bits, 1<<bits)
		}
		half := (float64(mx) - float64(mn)) / levels / 2
		for i := range n {
			v, q := float64(z[i*m+j]), float64(dst[i*m+j])
			if math.Abs(v-q) > half*(1+1e-5) {
				t.Fatalf("unit %d row %d: %g → %g, more than half a step (%g)", j, i, v, q, half)
			}
			if (v == float64(mn) || v == float64(mx)) && q != v {
				t.Errorf("unit %d: extreme %g → %g; want kept exactly", j, v, q)
			}
		}
	}
	if !distinctAtMost(dst, m, 2, 1) {
		t.Error("the dead unit changed")
	}
	// In place, and more bits means a smaller error.
	inPlace := slices.Clone(z)
	QuantizeLatent(inPlace, inPlace, n, m, bits)
	if !slices.Equal(inPlace, dst) {
		t.Error("in-place quantisation differs")
	}
	fine := make([]float32, n*m)
	QuantizeLatent(fine, z, n, m, 8)
	if MSE(z, fine) >= MSE(z, dst) {
		t.Errorf("8-bit error %g not below 4-bit error %g", MSE(z, fine), MSE(z, dst))
	}
	mustPanic(t, "17 bits", func() { QuantizeLatent(dst, z, n, m, 17) })
	mustPanic(t, "len(dst)", func() { QuantizeLatent(dst[1:], z, n, m, 8) })
}

// distinctAtMost reports whether column j of the rows of width m takes at
// most k distinct values.
func distinctAtMost(s []float32, m, j, k int) bool {
	seen := map[float32]bool{}
	for i := j; i < len(s); i += m {
		seen[s[i]] = true
	}
	return len(seen) <= k
}
