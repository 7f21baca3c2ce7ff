//go:build !purego

package ae

// sgdVec, momentumVec and nesterovVec run the loops of sgd.update and
// momentum.update with the vector kernels on the longest prefix of w whose
// length is a multiple of the vector width, and return that length.

func sgdVec(w, g []float32, c *sgdCoef) int {
	n := vecLen(len(w))
	switch {
	case n == 0:
	case simd == simdAVX512:
		sgdAVX512(&w[0], &g[0], n, c)
	default:
		sgdAVX2(&w[0], &g[0], n, c)
	}
	return n
}

func momentumVec(w, g, v []float32, c *sgdCoef) int {
	n := vecLen(len(w))
	switch {
	case n == 0:
	case simd == simdAVX512:
		momentumAVX512(&w[0], &g[0], &v[0], n, c)
	default:
		momentumAVX2(&w[0], &g[0], &v[0], n, c)
	}
	return n
}

func nesterovVec(w, g, v []float32, c *sgdCoef) int {
	n := vecLen(len(w))
	switch {
	case n == 0:
	case simd == simdAVX512:
		nesterovAVX512(&w[0], &g[0], &v[0], n, c)
	default:
		nesterovAVX2(&w[0], &g[0], &v[0], n, c)
	}
	return n
}

// The kernels; n is a multiple of the vector width (16 or 8).

//go:noescape
func sgdAVX512(w, grad *float32, n int, c *sgdCoef)

//go:noescape
func sgdAVX2(w, grad *float32, n int, c *sgdCoef)

//go:noescape
func momentumAVX512(w, grad, v *float32, n int, c *sgdCoef)

//go:noescape
func momentumAVX2(w, grad, v *float32, n int, c *sgdCoef)

//go:noescape
func nesterovAVX512(w, grad, v *float32, n int, c *sgdCoef)

//go:noescape
func nesterovAVX2(w, grad, v *float32, n int, c *sgdCoef)
