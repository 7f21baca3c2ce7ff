package gemm

import "sync"

// scratch holds one goroutine's packing buffers: the shared operand of a
// job it leads and the private panel of the chunk it computes. Buffers
// only grow, so after the first calls at a given size no call allocates or
// touches new memory (on these VMs a first-touch page fault costs about
// 10 µs).
type scratch struct {
	shared, priv []float32
}

// grow returns buf if it holds n floats, else a new buffer that does.
func grow(buf []float32, n int) []float32 {
	if len(buf) >= n {
		return buf
	}
	return make([]float32, n)
}

// scratchFree is a free list of scratch for calling goroutines. Unlike a
// sync.Pool it is not emptied by the garbage collector, so warm buffers
// survive GC cycles. It holds at most one scratch per goroutine that was
// ever inside Sgemm at the same moment.
var scratchFree struct {
	sync.Mutex
	list []*scratch
}

func getScratch() *scratch {
	scratchFree.Lock()
	defer scratchFree.Unlock()
	if n := len(scratchFree.list); n > 0 {
		s := scratchFree.list[n-1]
		scratchFree.list = scratchFree.list[:n-1]
		return s
	}
	return new(scratch)
}

func putScratch(s *scratch) {
	scratchFree.Lock()
	scratchFree.list = append(scratchFree.list, s)
	scratchFree.Unlock()
}
