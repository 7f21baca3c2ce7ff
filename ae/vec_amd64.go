//go:build !purego

package ae

import "math"

// Each xxxVec function below runs a vector kernel (*_amd64.s) on the
// longest prefix of its slices whose length is a multiple of the vector
// width and returns that length; the calling Go loop, which defines the
// result, does the rest. With simd == simdNone they return 0.

// sigmoidVec does zᵢ += bᵢ, aᵢ = sigmoidForward(zᵢ) for a prefix of one row.
func sigmoidVec(z, a, b []float32) int {
	n := vecLen(len(b))
	switch {
	case n == 0:
	case simd == simdAVX512:
		sigmoidAVX512(&z[0], &a[0], &b[0], n)
	default:
		sigmoidAVX2(&z[0], &a[0], &b[0], n)
	}
	return n
}

// reluVec does zᵢ += bᵢ, aᵢ = reluForward(zᵢ) for a prefix of one row.
func reluVec(z, a, b []float32) int {
	n := vecLen(len(b))
	switch {
	case n == 0:
	case simd == simdAVX512:
		reluAVX512(&z[0], &a[0], &b[0], n)
	default:
		reluAVX2(&z[0], &a[0], &b[0], n)
	}
	return n
}

// reluBackVec does dᵢ *= reluBackward(zᵢ, ·) for a prefix of d.
func reluBackVec(d, z []float32) int {
	n := vecLen(len(d))
	switch {
	case n == 0:
	case simd == simdAVX512:
		reluBackAVX512(&d[0], &z[0], n)
	default:
		reluBackAVX2(&d[0], &z[0], n)
	}
	return n
}

// addVec does dstᵢ += xᵢ for a prefix of dst.
func addVec(dst, x []float32) int {
	n := vecLen(len(dst))
	switch {
	case n == 0:
	case simd == simdAVX512:
		addAVX512(&dst[0], &x[0], n)
	default:
		addAVX2(&dst[0], &x[0], n)
	}
	return n
}

// mseSigmoidGradVec does, for a prefix of dz whose length is a multiple of
// 16, the fused loop of outputGrad for MSE after a sigmoid: s[i mod 16] +=
// mseValue(pᵢ, yᵢ) and dzᵢ = scale·mseGrad(pᵢ, yᵢ)·sigmoidBackward(·, pᵢ).
func mseSigmoidGradVec(dz, p, y []float32, scale float32, s *sum16) int {
	n := len(dz) &^ 15
	switch {
	case n == 0 || simd == simdNone:
		return 0
	case simd == simdAVX512:
		mseSigmoidGradAVX512(&dz[0], &p[0], &y[0], n, scale, s)
	default:
		mseSigmoidGradAVX2(&dz[0], &p[0], &y[0], n, scale, s)
	}
	return n
}

// mseSumVec does s[i mod 16] += mseValue(pᵢ, yᵢ) for a prefix of p whose
// length is a multiple of 16.
func mseSumVec(p, y []float32, s *sum16) int {
	n := len(p) &^ 15
	switch {
	case n == 0 || simd == simdNone:
		return 0
	case simd == simdAVX512:
		mseSumAVX512(&p[0], &y[0], n, s)
	default:
		mseSumAVX2(&p[0], &y[0], n, s)
	}
	return n
}

// bceVec does, for a prefix of z whose length is a multiple of 16, the BCE
// loop of outputGrad: s[i mod 16] += bceValue(zᵢ, yᵢ) and, unless dz is nil
// (lossSum's loop), dzᵢ = scale·bceGradLogit(pᵢ, yᵢ). Only AVX-512 has a
// kernel (the softplus needs more registers than AVX2's sixteen hold with
// ease); with AVX2 the Go loop does it all.
func bceVec(dz, z, p, y []float32, scale float32, s *sum16) int {
	n := len(z) &^ 15
	if n == 0 || simd != simdAVX512 {
		return 0
	}
	var d *float32
	if dz != nil {
		d = &dz[0]
	}
	bceAVX512(d, &z[0], &p[0], &y[0], n, scale, s)
	return n
}

// bytesVec does dstᵢ = float32(srcᵢ)/div for a prefix of dst.
func bytesVec(dst []float32, src []uint8, div float32) int {
	n := vecLen(len(dst))
	switch {
	case n == 0:
	case simd == simdAVX512:
		bytesToFloatAVX512(&dst[0], &src[0], n, div)
	default:
		bytesToFloatAVX2(&dst[0], &src[0], n, div)
	}
	return n
}

// vecLen returns the longest multiple of the vector width (16 floats for
// AVX-512, 8 for AVX2) not above n, or 0 without vector kernels.
func vecLen(n int) int {
	switch simd {
	case simdAVX512:
		return n &^ 15
	case simdAVX2:
		return n &^ 7
	}
	return 0
}

// The kernels. n is a multiple of the vector width (16 for the mse
// kernels at both widths); every pointer addresses at least n floats.

//go:noescape
func sigmoidAVX512(z, a, b *float32, n int)

//go:noescape
func sigmoidAVX2(z, a, b *float32, n int)

//go:noescape
func reluAVX512(z, a, b *float32, n int)

//go:noescape
func reluAVX2(z, a, b *float32, n int)

//go:noescape
func reluBackAVX512(d, z *float32, n int)

//go:noescape
func reluBackAVX2(d, z *float32, n int)

//go:noescape
func addAVX512(dst, x *float32, n int)

//go:noescape
func addAVX2(dst, x *float32, n int)

//go:noescape
func mseSigmoidGradAVX512(dz, p, y *float32, n int, scale float32, s *sum16)

//go:noescape
func mseSigmoidGradAVX2(dz, p, y *float32, n int, scale float32, s *sum16)

//go:noescape
func mseSumAVX512(p, y *float32, n int, s *sum16)

//go:noescape
func bceAVX512(dz, z, p, y *float32, n int, scale float32, s *sum16)

//go:noescape
func mseSumAVX2(p, y *float32, n int, s *sum16)

//go:noescape
func bytesToFloatAVX512(dst *float32, src *uint8, n int, div float32)

//go:noescape
func bytesToFloatAVX2(dst *float32, src *uint8, n int, div float32)

// vecConst holds the constants of the kernels as float32 bit patterns,
// each repeated 8 times so that an AVX2 instruction can take it as a
// memory operand (the AVX-512 kernels broadcast the first copy). Entry i
// is at ·vecConst+32·i(SB) (offsets in vecconst_amd64.h). They are set
// from the Go constants the Go loops use, so both see the same values.
var vecConst [vecConstN][8]uint32

// vecConst64 holds the float64 constants of bceAVX512, broadcast from
// ·vecConst64+8·i(SB): 2, then softplusTail's lnC3 … lnC13.
var vecConst64 = [7]float64{2, lnC3, lnC5, lnC7, lnC9, lnC11, lnC13}

// Indices into vecConst; vecconst_amd64.h has 32 times these.
const (
	vcSign       = iota // 0x80000000: the sign bit
	vcExpMin            // expMin
	vcLog2e             // log2e
	vcRoundMagic        // roundMagic
	vcLn2Hi             // ln2Hi
	vcLn2Lo             // ln2Lo
	vcP0                // expP0 … expP5
	vcP1
	vcP2
	vcP3
	vcP4
	vcP5
	vcOne // 1
	vcTwo // 2
	vc127 // the integer 127, the float32 exponent bias
	vecConstN
)

func init() {
	f := func(x float32) uint32 { return math.Float32bits(x) }
	for i, v := range [vecConstN]uint32{
		vcSign: 1 << 31, vcExpMin: f(expMin), vcLog2e: f(log2e), vcRoundMagic: f(roundMagic),
		vcLn2Hi: f(ln2Hi), vcLn2Lo: f(ln2Lo),
		vcP0: f(expP0), vcP1: f(expP1), vcP2: f(expP2), vcP3: f(expP3), vcP4: f(expP4), vcP5: f(expP5),
		vcOne: f(1), vcTwo: f(2), vc127: 127,
	} {
		for j := range vecConst[i] {
			vecConst[i][j] = v
		}
	}
}
