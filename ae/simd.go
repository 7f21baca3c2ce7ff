package ae

// The elementwise loops of a training step — Adam, the output sigmoid and
// its loss gradient, the ReLU layers, the bias gradients — have vector
// versions in Go assembly (files *_amd64.s, AVX-512 and AVX2). Each is a
// translation of its Go loop, operation for operation: the same IEEE
// multiplies, adds, divides and square roots in the same order, no fused
// multiply-add, no approximate reciprocal, and float64 sums kept in the
// same 16 partial sums (sum16). So the vector code gives the very bits the
// Go code gives, on any input, and the Go loops remain the readable
// definition. A vector kernel handles a prefix of the data whose length is
// a multiple of its width and returns that length; the Go loop finishes
// the rest (all of it on other CPUs, or when built with -tags purego).
//
// The Go loops write float32(x*y) + z where a product feeds a sum: the
// explicit conversion forbids the compiler to fuse them into one FMA
// (which it may do on other architectures, or with GOAMD64=v3), so the
// results do not depend on how the package is compiled either.

// simdLevel is a vector instruction set the kernels can use.
type simdLevel uint8

const (
	simdNone   simdLevel = iota // the Go loops only
	simdAVX2                    // 8-float YMM kernels (AVX2)
	simdAVX512                  // 16-float ZMM kernels (AVX-512F)
)

// simd is the level the kernels use: the best this CPU and OS support,
// found at start-up. Tests lower it to compare the levels.
var simd = detectSIMD()

// String names the level, for test and benchmark names.
func (l simdLevel) String() string {
	switch l {
	case simdAVX2:
		return "avx2"
	case simdAVX512:
		return "avx512"
	}
	return "go"
}

// sum16 accumulates float64 terms in 16 partial sums, term i of a
// sequence going to lane i mod 16: the order in which the vector kernels
// add (8 float64 lanes per ZMM register, two registers). total combines
// the lanes in a fixed order, so a loss sum is bit-for-bit the same
// whichever path computed it.
type sum16 [16]float64

// total returns the sum of the lanes, added in lane order.
func (s *sum16) total() float64 {
	var t float64
	for _, v := range s {
		t += v
	}
	return t
}
