//go:build !purego

package ae

// adamVec runs the Adam loop of adam.update with the vector kernels on the
// longest prefix of w whose length is a multiple of the vector width, and
// returns that length. g, m and v are at least as long as w.
func adamVec(w, g, m, v []float32, c *adamCoef) int {
	var n int
	switch simd {
	case simdAVX512:
		if n = len(w) &^ 15; n > 0 {
			adamAVX512(&w[0], &g[0], &m[0], &v[0], n, c)
		}
	case simdAVX2:
		if n = len(w) &^ 7; n > 0 {
			adamAVX2(&w[0], &g[0], &m[0], &v[0], n, c)
		}
	}
	return n
}

// adamAVX512 and adamAVX2 update n parameters (n a multiple of 16 and 8,
// respectively) as adam.update's loop does.
//
//go:noescape
func adamAVX512(w, grad, m, v *float32, n int, c *adamCoef)

//go:noescape
func adamAVX2(w, grad, m, v *float32, n int, c *adamCoef)
