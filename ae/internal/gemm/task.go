package gemm

import "runtime"

// Task is work that splits into independent chunks, for Parallel.
type Task interface {
	// Run computes chunk c. Chunks must not depend on each other's
	// results or order: they may run at the same time, on any goroutine.
	Run(c int)
}

// Parallel runs t.Run(c) for every c in [0, chunks) on the calling
// goroutine and, when workers > 1, on up to workers−1 goroutines of the
// matrix products' pool (which is likely awake between the products of a
// training step), and returns when all are done. It lets the engine's
// memory-bound loops between products (such as a convolution's im2col)
// use the cores the products use. Passing a pointer as t does not
// allocate. A Task whose chunks write disjoint data gives the same result
// whatever workers is.
func Parallel(chunks, workers int, t Task) {
	helpers := min(workers-1, runtime.GOMAXPROCS(0)-1, chunks-1)
	if helpers <= 0 {
		for c := 0; c < chunks; c++ {
			t.Run(c)
		}
		return
	}
	s := getScratch()
	defer putScratch(s)
	jb := job{task: t}
	runShared(&jb, chunks, helpers, s)
}
