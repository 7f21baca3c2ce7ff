package gemm

// Packing copies a panel of op(A) or op(B) into the order the micro-kernel
// reads it: for each k index p, the mr values of a column of the A panel
// (or the w values of a row of the B panel) lie next to each other. The
// kernel then walks both panels with unit stride, whatever the
// transposition and leading dimension of the caller's matrices.

// packAGo writes op(A)[i0:i0+mr, p0:p0+kc] to dst: dst[p*mr+i] = op(A)[i0+i][p0+p].
func packAGo(dst, a []float32, lda int, trans bool, i0, mr, p0, kc int) {
	dst = dst[:kc*mr]
	if trans {
		// op(A)[i][p] = a[p*lda+i]: each p is a contiguous run of mr.
		for p := 0; p < kc; p++ {
			src := (p0+p)*lda + i0
			copy(dst[p*mr:(p+1)*mr], a[src:src+mr])
		}
		return
	}
	// op(A)[i][p] = a[i*lda+p]: each row i is scattered with stride mr.
	for i := 0; i < mr; i++ {
		src := (i0+i)*lda + p0
		row := a[src : src+kc]
		for p, v := range row {
			dst[p*mr+i] = v
		}
	}
}

// packBGo writes op(B)[p0:p0+kc, j0:j0+nr] to dst as kc rows of w floats,
// zero-padded: dst[p*w+j] = op(B)[p0+p][j0+j] for j < nr, else 0.
func packBGo(dst, b []float32, ldb int, trans bool, p0, kc, j0, nr, w int) {
	dst = dst[:kc*w]
	if !trans {
		// op(B)[p][j] = b[p*ldb+j]: each p is a contiguous run of nr.
		for p := 0; p < kc; p++ {
			src := (p0+p)*ldb + j0
			d := dst[p*w : (p+1)*w]
			copy(d, b[src:src+nr])
			clear(d[nr:])
		}
		return
	}
	// op(B)[p][j] = b[j*ldb+p]: each column j is scattered with stride w.
	for j := 0; j < nr; j++ {
		src := (j0+j)*ldb + p0
		row := b[src : src+kc]
		for p, v := range row {
			dst[p*w+j] = v
		}
	}
	if nr < w {
		for p := 0; p < kc; p++ {
			clear(dst[p*w+nr : (p+1)*w])
		}
	}
}
