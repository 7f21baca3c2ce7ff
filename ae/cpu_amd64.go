//go:build !purego

package ae

import "github.com/aelab/aelab/ae/internal/gemm"

// detectSIMD returns the widest vector level whose kernels (simd.go) may
// run, from the matrix-product package's CPU check (golang.org/x/sys/cpu:
// the instructions, and the OS saving the YMM, opmask and ZMM registers).
// The elementwise kernels use no FMA, so that their results are those of
// the Go loops bit for bit.
func detectSIMD() simdLevel {
	switch avx2, avx512 := gemm.CPUFeatures(); {
	case avx512:
		return simdAVX512
	case avx2:
		return simdAVX2
	}
	return simdNone
}
