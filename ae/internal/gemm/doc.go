// Package gemm computes single-precision general matrix products for the
// autoencoder engine: C = alpha·op(A)·op(B) + beta·C on row-major matrices,
// where op(X) is X or Xᵀ. It is written for the three products of a
// training step — forward Z = X·W (NN), weight gradient dW = Xᵀ·dZ (TN)
// and input gradient dX = dZ·Wᵀ (NT) — at layer widths of tens to about a
// thousand, but any shape works.
//
// # The idea: keep the FMA units busy
//
// A modern core can issue two fused multiply-adds per cycle on 16 floats
// each (AVX-512): 64 flops per cycle. A naive triple loop gets a few
// percent of that, because it spends its time waiting for memory and
// because the compiler does not vectorise it. Three ideas, due to
// GotoBLAS and BLIS, close the gap.
//
// The micro-kernel. C is computed in tiles of mr×nr elements (14×32 for
// AVX-512) held entirely in registers: 14 rows × 2 vectors of 16 floats =
// 28 ZMM accumulators. For each k index p the kernel loads one row of the
// B tile (2 vectors), broadcasts each of the 14 A values of column p and
// does 28 FMAs. Two loads plus 14 broadcasts feed 28 FMAs, so the loads
// never limit the FMA units, and 28 independent accumulators hide the
// 4-cycle FMA latency. Measured alone, the kernel runs at the machine's
// peak (BenchmarkMicroKernel). The kernels are generated (gen_kernels.go,
// `go generate`) for every edge size: mr = 1..14 rows and 1 or 2 vectors,
// the last vector of each row stored under a lane mask, so partial tiles
// at the right and bottom edges of C need no copying.
//
// Packing. The kernel wants, for each p, the mr values of A and the nr
// values of B next to each other. Packing copies a panel of op(A) (mr rows
// × kc) and of op(B) (kc × nr) into that order in a buffer, so the kernel
// reads both with unit stride whatever the transposition and leading
// dimension. A transposition is thus paid once per element, in packing,
// and the packed element is then used in one multiply-add for every row
// of A (or column of B) it meets. With AVX-512, packing uses masked
// 32-float row copies, or 16×16 in-register transposes (unpack, shuffle,
// and two rounds of 128-bit lane shuffles) for the transposed cases
// (gen_pack.go). B panels are padded with zero columns to whole vectors.
//
// Blocking. The inner dimension is cut into k-blocks of at most kc (512)
// so that a packed B panel (kc×32 floats) stays in L1/L2 while the kernel
// sweeps the row panels of A, and a k-block of packed A stays in L2. The
// blocks are nearly equal and depend only on k. The first k-block applies
// beta (or ignores C when beta is 0); later ones add to C.
//
// # Work split and threads
//
// The smaller of op(A) (m×k) and op(B) (k×n) is packed whole, once, and
// shared. The other operand is cut into chunks — column panels of nr when
// A is shared, row panels of mr when B is shared — and each chunk packs
// its own panel and computes its part of C for all k-blocks. For 64×784·
// 784×256 (NN) that is A (64×784) packed once and 8 chunks of 32 columns.
// Row panels are given balanced heights (64 rows → 13,13,13,13,12), since
// a kernel with very few rows is bound by FMA latency. If the shared
// operand is large, it is processed in super-blocks of rows (or columns)
// that fit L2.
//
// With workers > 1, chunks are handed out one at a time to the calling
// goroutine and up to workers-1 pool goroutines; a helper that starts late
// just takes fewer chunks, and the caller only ever waits for chunks
// already in progress. The pool is started lazily, the first time a call
// asks for helpers, grows to the largest workers-1 ever requested (at
// most 64; helpers are also capped at GOMAXPROCS-1) and lives for the rest of the process; its goroutines poll for
// work for spinWait (200 µs) after each task, because waking a parked
// goroutine takes 15-100 µs on the target VMs — as long as a whole
// product — while training issues products back to back. Idle, they are
// parked on a channel receive and cost nothing. Tests that check for
// leaked goroutines (goleak) should ignore gemm.worker, e.g.
// goleak.IgnoreAnyFunction("github.com/aelab/aelab/ae/internal/gemm.worker").
// Products with m·n·k below minHelperWork (2¹⁸) stay on the caller.
//
// # Determinism
//
// Each element of C is one chain of FMAs over p in order within a k-block,
// then alpha·acc + beta·C (separate multiplies and an add, in that order,
// in every implementation), block after block. Neither depends on which
// tile, chunk or goroutine computes the element, nor on its position in a
// tile, so results are bit-for-bit identical for any number of workers.
// They do differ between implementations (FMA vs separate multiply-add,
// as from any BLAS), within the usual k·eps bound the tests check.
//
// # Dispatch
//
// At start-up cpu_amd64.go asks golang.org/x/sys/cpu what the CPU and the
// OS support (no cgo) and picks the first available of:
//
//   - avx512: AVX-512F kernels (14×32 tiles), AVX-512 packing;
//   - avx2: AVX2+FMA kernels (6×16 tiles in 16 YMM registers), AVX2
//     packing (VMASKMOVPS copies, 8×8 transposes);
//   - go: a portable 4×4 scalar kernel with the same blocking and packing.
//
// AVX-512 requires the CPU flags and an OS that saves the opmask and ZMM
// state (XCR0 bits 5-7); AVX2 requires FMA, AVX2 and YMM state. Building
// with -tags purego, or on other architectures, uses only the Go code.
// Tests force each available implementation in turn through the
// unexported variable active.
//
// # Performance
//
// On the 2-core AMD EPYC (Zen 5) VM this was tuned on, the AVX-512 kernel
// peaks at about 256 GFLOP/s per core. Sgemm reaches 210-250 GFLOP/s
// single-threaded and 370-480 with two workers for the autoencoder shapes
// 64×784×256 and 256×512×784 in all of NN, TN and NT, against 15-35 for
// gonum's blas32 (BenchmarkSgemm; the machine was shared, figures are
// medians). Smaller layers get less: 64×128×32 takes about 2.5 µs.
// The AVX2 path gets about 110-120 GFLOP/s per core there (its kernel's
// peak is 128) and the portable path about 5.
package gemm
