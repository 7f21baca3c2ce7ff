//go:build !purego

package gemm

// microKernel is the signature of the generated assembly kernels (see
// gen_kernels.go): C tile = alpha·A·B (+ beta·C when flags bit 16 is set)
// for packed panels a (kc×mr) and b (kc×nv·width); the low flag bits
// describe which lanes of the last vector of each row are inside C.
type microKernel func(a, b, c *float32, kc, ldc int, alpha, beta float32, flags uint64)

// avx512Impl uses 14×32 tiles: 28 ZMM accumulators, two ZMM rows of B
// and two broadcast registers make up all 32 vector registers.
var avx512Impl = &impl{
	name: "avx512",
	mr:   14, nr: 32, vw: 16,
	kc: 512, l2: 160 << 10,
	packA: packA512,
	packB: packB512,
	tile:  tile512,
}

// avx2Impl uses 6×16 tiles: 12 YMM accumulators, two rows of B and two
// broadcast registers make up all 16 vector registers.
var avx2Impl = &impl{
	name: "avx2",
	mr:   6, nr: 16, vw: 8,
	kc: 512, l2: 96 << 10,
	packA: packA256,
	packB: packB256,
	tile:  tile256,
}

// tile512 runs the AVX-512 kernel for an mr×nr tile (nr ≤ 32): one or two
// 16-float vectors per row, the last one stored under a lane mask.
func tile512(mr, nr, kc int, a, b, c []float32, ldc int, alpha, beta float32, accum bool) {
	nv := (nr + 15) >> 4
	flags := uint64(1)<<(nr-16*(nv-1)) - 1
	if accum {
		flags |= 1 << 16
	}
	k512Kernels[mr-1][nv-1](&a[0], &b[0], &c[0], kc, ldc, alpha, beta, flags)
}

// tile256 runs the AVX2 kernel for an mr×nr tile (nr ≤ 16): one or two
// 8-float vectors per row; the kernel turns the count of valid lanes of
// the last one into a VMASKMOVPS mask.
func tile256(mr, nr, kc int, a, b, c []float32, ldc int, alpha, beta float32, accum bool) {
	nv := (nr + 7) >> 3
	flags := uint64(nr - 8*(nv-1))
	if accum {
		flags |= 1 << 16
	}
	k256Kernels[mr-1][nv-1](&a[0], &b[0], &c[0], kc, ldc, alpha, beta, flags)
}

// simdImpls returns the SIMD implementations this CPU and OS support,
// fastest first.
func simdImpls() []*impl {
	avx2FMA, avx512 := cpuFeatures()
	var l []*impl
	if avx512 {
		l = append(l, avx512Impl)
	}
	if avx2FMA {
		l = append(l, avx2Impl)
	}
	return l
}
