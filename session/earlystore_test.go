package session

import (
	"slices"
	"testing"
)

// The store keeps a run's early weights at every keyframe step before the
// first epoch's end when they fit in maxStoredEarlyBytes, else at as many
// as fit, spread evenly from the first to the last; a network too large
// for even one keeps none there.
func TestStoredEarlySteps(t *testing.T) {
	kf := KeyframeSteps(1875, 1875*3) // 0, 1, 2, 5, …, 1000, then the epochs' ends
	small := 100_000                  // 400 kB a copy: all eleven fit in 8 MiB
	if got, want := storedEarlySteps(kf, 1875, small), []int{0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000}; !slices.Equal(got, want) {
		t.Fatalf("small network: %v, want %v", got, want)
	}
	explorer := 403_000 // 1.6 MB a copy: five fit
	got := storedEarlySteps(kf, 1875, explorer)
	if want := []int{0, 2, 20, 100, 1000}; !slices.Equal(got, want) {
		t.Fatalf("the explorer's network: %v, want %v", got, want)
	}
	if bytes := 4 * explorer * len(got); bytes > maxStoredEarlyBytes {
		t.Fatalf("%d bytes kept for one run, over %d", bytes, maxStoredEarlyBytes)
	}
	if got := storedEarlySteps(kf, 1875, maxStoredEarlyBytes/4+1); len(got) != 0 {
		t.Fatalf("a network over the per-run bound keeps %v", got)
	}
	if got := storedEarlySteps(kf, 1875, maxStoredEarlyBytes/4); !slices.Equal(got, []int{1000}) {
		t.Fatalf("room for one copy: %v, want the last early step", got)
	}
}
