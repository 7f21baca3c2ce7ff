//go:build !purego

package gemm

// packC512 copies kc rows of a matrix (row stride lds) into rows of dw
// floats; masks holds the load masks of lanes 0-15 and 16-31 and the
// store masks of the same, 16 bits each. See gen_pack.go.
//
//go:noescape
func packC512(dst, src *float32, kc, lds, dw int, masks uint64)

// packT512 transposes rows ≤ 16 rows of kc floats (row stride lds) into
// kc rows of the packed panel (row stride dw), writing lanes ≥ rows
// floats per row, those past rows as zero. See gen_pack.go.
//
//go:noescape
func packT512(dst, src *float32, kc, lds, rows, lanes, dw int)

// copyMasks returns packC512's masks for copying w floats into rows of dw.
func copyMasks(w, dw int) uint64 {
	lo := func(n int) uint64 { return uint64(1)<<min(max(n, 0), 16) - 1 }
	return lo(w) | lo(w-16)<<16 | lo(dw)<<32 | lo(dw-16)<<48
}

// packA512 is packAGo with AVX-512 copies and 16×16 transposes.
func packA512(dst, a []float32, lda int, trans bool, i0, mr, p0, kc int) {
	dst = dst[:kc*mr]
	if trans {
		src := a[p0*lda+i0 : (p0+kc-1)*lda+i0+mr]
		packC512(&dst[0], &src[0], kc, lda, mr, copyMasks(mr, mr))
		return
	}
	src := a[i0*lda+p0 : (i0+mr-1)*lda+p0+kc]
	packT512(&dst[0], &src[0], kc, lda, mr, mr, mr)
}

// packB512 is packBGo with AVX-512 copies and 16×16 transposes.
func packB512(dst, b []float32, ldb int, trans bool, p0, kc, j0, nr, w int) {
	dst = dst[:kc*w]
	if !trans {
		src := b[p0*ldb+j0 : (p0+kc-1)*ldb+j0+nr]
		packC512(&dst[0], &src[0], kc, ldb, w, copyMasks(nr, w))
		return
	}
	for i0 := 0; i0 < w; i0 += 16 {
		rows := min(16, nr-i0)
		src := b[(j0+i0)*ldb+p0 : (j0+i0+rows-1)*ldb+p0+kc]
		packT512(&dst[i0], &src[0], kc, ldb, rows, min(16, w-i0), w)
	}
}

// packC256 is packC512 for AVX2: it copies kc rows of w ≤ 16 floats
// (stride lds) into rows of dw ≤ 16 floats, zero-padded.
//
//go:noescape
func packC256(dst, src *float32, kc, lds, w, dw int)

// packT256 is packT512 for AVX2, on at most 8 rows and 8 lanes.
//
//go:noescape
func packT256(dst, src *float32, kc, lds, rows, lanes, dw int)

// packA256 is packAGo with AVX2 copies and 8×8 transposes.
func packA256(dst, a []float32, lda int, trans bool, i0, mr, p0, kc int) {
	dst = dst[:kc*mr]
	if trans {
		src := a[p0*lda+i0 : (p0+kc-1)*lda+i0+mr]
		packC256(&dst[0], &src[0], kc, lda, mr, mr)
		return
	}
	src := a[i0*lda+p0 : (i0+mr-1)*lda+p0+kc]
	packT256(&dst[0], &src[0], kc, lda, mr, mr, mr)
}

// packB256 is packBGo with AVX2 copies and 8×8 transposes.
func packB256(dst, b []float32, ldb int, trans bool, p0, kc, j0, nr, w int) {
	dst = dst[:kc*w]
	if !trans {
		src := b[p0*ldb+j0 : (p0+kc-1)*ldb+j0+nr]
		packC256(&dst[0], &src[0], kc, ldb, nr, w)
		return
	}
	for i0 := 0; i0 < w; i0 += 8 {
		rows := min(8, nr-i0)
		src := b[(j0+i0)*ldb+p0 : (j0+i0+rows-1)*ldb+p0+kc]
		packT256(&dst[i0], &src[0], kc, ldb, rows, min(8, w-i0), w)
	}
}
