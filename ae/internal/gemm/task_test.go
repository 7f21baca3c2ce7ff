package gemm

import (
	"runtime"
	"sync/atomic"
	"testing"
)

// countTask counts the runs of each chunk.
type countTask struct{ runs []atomic.Int32 }

func (t *countTask) Run(c int) { t.runs[c].Add(1) }

// TestParallel checks that Parallel runs every chunk exactly once, whatever
// the number of workers, and does not allocate.
func TestParallel(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(4, runtime.GOMAXPROCS(0))))
	for _, workers := range []int{0, 1, 2, 4} {
		for _, chunks := range []int{0, 1, 3, 64} {
			task := &countTask{runs: make([]atomic.Int32, chunks)}
			for range 5 {
				Parallel(chunks, workers, task)
			}
			for c := range task.runs {
				if got := task.runs[c].Load(); got != 5 {
					t.Fatalf("workers %d, chunks %d: chunk %d ran %d times in 5 calls", workers, chunks, c, got)
				}
			}
		}
	}
	task := &countTask{runs: make([]atomic.Int32, 8)}
	Parallel(8, 2, task) // start the pool
	if a := testing.AllocsPerRun(50, func() { Parallel(8, 2, task) }); a != 0 {
		t.Errorf("Parallel: %v allocations per call", a)
	}
}
