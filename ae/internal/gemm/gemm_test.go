package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// withImpl runs f with Sgemm forced to use im.
func withImpl(t testing.TB, im *impl, f func()) {
	t.Helper()
	saved := active
	active = im
	defer func() { active = saved }()
	f()
}

type shape struct{ m, n, k int }

func (s shape) String() string { return fmt.Sprintf("%dx%dx%d", s.m, s.n, s.k) }

// testShapes are m×n×k products: tiny and odd sizes, sizes that are not
// multiples of any tile or vector width, and autoencoder layers.
func testShapes(short bool) []shape {
	l := []shape{
		{1, 1, 1}, {7, 13, 5}, {3, 1, 17}, {1, 40, 3}, {17, 33, 65},
		{15, 17, 9}, {29, 47, 31}, {14, 32, 300}, {45, 97, 513},
		{64, 50, 128}, {33, 15, 1},
	}
	if !short {
		l = append(l, shape{64, 256, 784}, shape{256, 784, 512}, shape{784, 256, 64})
	}
	return l
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

// operands returns A, B (with leading dimensions padded by pad) for the
// given transpositions.
func operands(r *rand.Rand, s shape, transA, transB bool, pad int) (a []float32, lda int, b []float32, ldb int) {
	ar, ac := s.m, s.k
	if transA {
		ar, ac = s.k, s.m
	}
	br, bc := s.k, s.n
	if transB {
		br, bc = s.n, s.k
	}
	lda, ldb = ac+pad, bc+pad
	return randSlice(r, ar*lda), lda, randSlice(r, br*ldb), ldb
}

func abs32(x []float32) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(math.Abs(float64(v)))
	}
	return y
}

// checkClose compares got with the reference result want. The bound is
// the standard one for a dot product of length k in float32, applied to
// both results: 2(k+2)·eps·(|alpha|·Σ|a||b| + |beta·c|).
func checkClose(t *testing.T, label string, got, want, mag []float32, s shape, ldc int) {
	t.Helper()
	const eps = 1.0 / (1 << 23)
	tol := float64(2*(s.k+2)) * eps
	bad := 0
	for i := 0; i < s.m; i++ {
		for j := 0; j < s.n; j++ {
			g, w := float64(got[i*ldc+j]), float64(want[i*ldc+j])
			if math.IsNaN(g) || math.Abs(g-w) > tol*float64(mag[i*ldc+j])+1e-30 {
				if bad < 5 {
					t.Errorf("%s: C[%d,%d] = %v, want %v (tol %g)", label, i, j, g, w, tol*float64(mag[i*ldc+j]))
				}
				bad++
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%s: %d of %d elements wrong", label, bad, s.m*s.n)
	}
	// Elements between rows (ldc > n) and after C must be untouched.
	for i := 0; i < s.m; i++ {
		for j := s.n; j < ldc; j++ {
			g, w := got[i*ldc+j], want[i*ldc+j]
			if g != w && !(g != g && w != w) {
				t.Fatalf("%s: C padding [%d,%d] changed to %v", label, i, j, got[i*ldc+j])
			}
		}
	}
}

// TestSgemmMatchesReference compares every implementation (the SIMD
// kernels this CPU supports and the portable Go one), with 1, 2 and 3
// workers, against the reference triple loop.
func TestSgemmMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	type coef struct{ alpha, beta float32 }
	coefs := []coef{{1, 0}, {1, 1}, {-0.75, 0.5}, {2, 0}}
	for _, s := range testShapes(testing.Short() || raceEnabled) {
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			for ci, cf := range coefs {
				pad := ci % 3 // also exercises leading dimensions > width
				name := fmt.Sprintf("%v/tA=%v,tB=%v/alpha=%v,beta=%v,pad=%d", s, tr[0], tr[1], cf.alpha, cf.beta, pad)
				t.Run(name, func(t *testing.T) {
					a, lda, b, ldb := operands(r, s, tr[0], tr[1], pad)
					ldc := s.n + pad
					c0 := randSlice(r, s.m*ldc) // the last row's padding guards the end of C
					if cf.beta == 0 {
						for i := range c0 {
							c0[i] = float32(math.NaN()) // must be ignored
						}
					}
					want := append([]float32(nil), c0...)
					reference(tr[0], tr[1], s.m, s.n, s.k, cf.alpha, a, lda, b, ldb, cf.beta, want, ldc)
					// mag = |alpha|·|A|·|B| + |beta|·|C| scales the tolerance.
					mag := abs32(c0)
					if cf.beta == 0 {
						clear(mag)
					}
					reference(tr[0], tr[1], s.m, s.n, s.k, float32(math.Abs(float64(cf.alpha))), abs32(a), lda, abs32(b), ldb,
						float32(math.Abs(float64(cf.beta))), mag, ldc)
					for _, im := range impls {
						for _, w := range []int{1, 2, 3} {
							got := append([]float32(nil), c0...)
							withImpl(t, im, func() {
								Sgemm(tr[0], tr[1], s.m, s.n, s.k, cf.alpha, a, lda, b, ldb, cf.beta, got[:(s.m-1)*ldc+s.n], ldc, w)
							})
							checkClose(t, fmt.Sprintf("%s, workers=%d", im.name, w), got, want, mag, s, ldc)
						}
					}
				})
			}
		}
	}
}
