package ae

import "math"

// expNeg32 returns e^x in float32 for x ≤ 0 (NaN for NaN), within 1 ulp of
// the exact value (0.98 ulp at worst over every float32 input; see
// TestExpNeg32Accuracy). It is what the sigmoid needs: σ is computed from
// e^−|z|, which never overflows. The method is the classic one (Cody–Waite
// reduction and Cephes' expf polynomial):
//
//	e^x = 2ⁿ · e^r,  n = round(x / ln 2),  r = x − n·ln 2 ∈ [−ln2/2, ln2/2]
//	e^r ≈ 1 + r + r²·P(r), P of degree 5
//
// with ln 2 split into a short high part, whose product with n is exact,
// and a low part. x is clamped at −104, below which e^x rounds to 0, so n
// lies in [−150, 0]; 2ⁿ is applied as two powers of two of at least 2⁻⁷⁵
// each, built from their bits, so that a result in the subnormal range is
// rounded only once. The kernels sigmoidAVX512 and sigmoidAVX2
// (sigmoid_amd64.s) do the same operations on 16 or 8 values at a time.
func expNeg32(x float32) float32 {
	x = max(x, expMin)
	// t = x/ln2 + 1.5·2²³ rounds x/ln2 to an integer n held in the low
	// mantissa bits of t (ties to even), for |x/ln2| < 2²².
	t := float32(x*log2e) + roundMagic
	n := int32(math.Float32bits(t) - math.Float32bits(roundMagic))
	nf := t - roundMagic
	r := x - float32(nf*ln2Hi) - float32(nf*ln2Lo)
	p := float32(expP0*r) + expP1
	p = float32(p*r) + expP2
	p = float32(p*r) + expP3
	p = float32(p*r) + expP4
	p = float32(p*r) + expP5
	e := float32(p*(r*r)) + r + 1
	n1 := n >> 1
	return e * pow2(n1) * pow2(n-n1)
}

// pow2 returns 2ⁿ for −126 ≤ n ≤ 127.
func pow2(n int32) float32 { return math.Float32frombits(uint32(n+127) << 23) }

// Constants of expNeg32.
const (
	expMin     = -104 // e^−104 < 2⁻¹⁵⁰: rounds to 0 in float32
	log2e      = 1.44269504088896341
	roundMagic = 12582912       // 1.5·2²³
	ln2Hi      = 0.693359375    // 355/512: n·ln2Hi is exact for |n| < 2¹⁵
	ln2Lo      = -2.12194440e-4 // ln 2 − ln2Hi, rounded
	expP0      = 1.9875691500e-4
	expP1      = 1.3981999507e-3
	expP2      = 8.3334519073e-3
	expP3      = 4.1665795894e-2
	expP4      = 1.6666665459e-1
	expP5      = 5.0000001201e-1
)
