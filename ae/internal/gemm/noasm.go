//go:build !amd64 || purego

package gemm

// simdImpls returns no SIMD implementation: this build uses portable Go.
func simdImpls() []*impl { return nil }
