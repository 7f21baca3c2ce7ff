//go:build !purego

package gemm

// cpuid executes CPUID with the given leaf (EAX) and subleaf (ECX).
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

// xgetbv reads extended control register XCR0, which says which register
// states the operating system saves on context switches.
func xgetbv() (eax, edx uint32)

// cpuFeatures reports whether the AVX2+FMA and AVX-512F kernels may run:
// the CPU must implement the instructions (CPUID) and the OS must save
// the YMM, and for AVX-512 also the opmask and ZMM, registers (XCR0).
// Without the OS part an instruction would work but its registers could be
// corrupted by a context switch. This is the check Go's internal/cpu makes.
func cpuFeatures() (avx2FMA, avx512 bool) {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false, false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const (
		fma     = 1 << 12
		osxsave = 1 << 27
		avx     = 1 << 28
	)
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false, false
	}
	xcr0, _ := xgetbv()
	const (
		sseYMM    = 1<<1 | 1<<2        // XMM and upper YMM state
		opmaskZMM = 1<<5 | 1<<6 | 1<<7 // opmask, upper ZMM0-15, ZMM16-31
	)
	_, ebx7, _, _ := cpuid(7, 0)
	const (
		avx2    = 1 << 5
		avx512f = 1 << 16
	)
	avx2FMA = xcr0&sseYMM == sseYMM && ebx7&avx2 != 0
	avx512 = avx2FMA && xcr0&opmaskZMM == opmaskZMM && ebx7&avx512f != 0
	return avx2FMA, avx512
}

// CPUFeatures reports what cpuFeatures found, for the engine's other
// vector kernels (one CPU check for the whole engine).
func CPUFeatures() (avx2FMA, avx512 bool) { return cpuFeatures() }
