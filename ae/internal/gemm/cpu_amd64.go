//go:build !purego

package gemm

import "golang.org/x/sys/cpu"

// cpuFeatures reports whether the AVX2+FMA and AVX-512F kernels may run,
// as golang.org/x/sys/cpu finds them: the CPU must implement the
// instructions (CPUID) and the OS must save the YMM, and for AVX-512 also
// the opmask and ZMM, registers on a context switch (XCR0); without the OS
// part an instruction would work but its registers could be corrupted.
func cpuFeatures() (avx2FMA, avx512 bool) {
	avx2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	avx512 = avx2FMA && cpu.X86.HasAVX512F
	return avx2FMA, avx512
}

// CPUFeatures reports what cpuFeatures found, for the engine's other
// vector kernels (one CPU check for the whole engine).
func CPUFeatures() (avx2FMA, avx512 bool) { return cpuFeatures() }
