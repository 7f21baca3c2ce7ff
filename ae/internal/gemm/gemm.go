package gemm

//go:generate go run gen_kernels.go gen_pack.go

// Sgemm computes C = alpha·op(A)·op(B) + beta·C, where op(X) is X or Xᵀ.
// op(A) is m×k, op(B) is k×n and C is m×n; all matrices are row-major with
// leading dimensions lda, ldb and ldc. With beta == 0, C is overwritten and
// its previous contents (even NaN) are ignored. With alpha == 0 or k == 0,
// A and B are not read (as in BLAS) and C is only scaled by beta.
// It panics on shape misuse.
//
// workers ≤ 1 runs on the calling goroutine only. With workers > 1 the
// product may be split over up to that many goroutines of a small
// package-level pool (see doc.go) when it is large enough to gain from it.
// The result is bit-for-bit the same whatever workers is.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int, workers int) {
	checkShapes(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	p := params{
		transA: transA, transB: transB,
		m: m, n: n, k: k,
		alpha: alpha, beta: beta,
		a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc,
	}
	active.run(&p, workers)
}

func checkShapes(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic("gemm: negative dimension")
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	if lda < max(1, ac) || ldb < max(1, bc) || ldc < max(1, n) {
		panic("gemm: bad leading dimension")
	}
	if (ar > 0 && len(a) < (ar-1)*lda+ac) || (br > 0 && len(b) < (br-1)*ldb+bc) || (m > 0 && len(c) < (m-1)*ldc+n) {
		panic("gemm: slice too short")
	}
}

// scaleC sets C = beta·C, or C = 0 when beta is 0 (ignoring NaN in C).
func scaleC(m, n int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		if beta == 1 {
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// reference is the plain triple loop every kernel is tested against.
func reference(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += av * bv
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
}
