package lab

import (
	"testing"

	"github.com/aelab/aelab/ae"
)

// snapshotOf returns a snapshot of a k-h-2-h-k network (its weights zero).
func snapshotOf(t *testing.T, k, h int) *ae.Snapshot {
	t.Helper()
	c := ae.Config{Sizes: []int{k, h, 2, h, k}, Bottleneck: 2, Hidden: ae.ReLU, Output: ae.Sigmoid,
		Loss: ae.MSE, Optimizer: ae.Optimizer{Kind: ae.Adam, LearningRate: 1e-3}, BatchSize: 16, Seed: 1}
	sn, err := ae.NewSnapshot(c, make([]float32, c.NumParams()), 1)
	if err != nil {
		t.Fatal(err)
	}
	return sn
}

// The cache of past models holds at most maxPastValues weights, forgets the
// least recently used first, and never keeps a model larger than its bound.
func TestPastCacheBounds(t *testing.T) {
	c := newPastCache()
	small := snapshotOf(t, 784, 256) // ~403k weights: 20 fit in 8 Mi
	n := small.Config().NumParams()
	fit := maxPastValues / n
	for i := range fit + 5 {
		c.add(pastKey{"s", i}, small)
		if i == 0 {
			continue
		}
		c.get(pastKey{"s", 0}) // step 0 stays the most recently used
	}
	if c.values > maxPastValues || c.values != c.lru.Len()*n {
		t.Fatalf("%d weights held in %d models, bound %d", c.values, c.lru.Len(), maxPastValues)
	}
	if c.lru.Len() != min(fit, maxPastModels) {
		t.Fatalf("%d models held; want %d", c.lru.Len(), min(fit, maxPastModels))
	}
	if c.get(pastKey{"s", 0}) == nil || c.get(pastKey{"s", 1}) != nil {
		t.Fatal("the least recently used model was not the one forgotten")
	}
	huge := snapshotOf(t, 784, 4000) // ~6.3M weights: fits alone
	c.add(pastKey{"h", 1}, huge)
	if c.get(pastKey{"h", 1}) == nil || c.values > maxPastValues {
		t.Fatalf("a model within the bound was not kept (%d weights held)", c.values)
	}
	tooBig := snapshotOf(t, 4000, 1100) // ~8.8M weights: more than the bound
	c.add(pastKey{"b", 1}, tooBig)
	if c.get(pastKey{"b", 1}) != nil || c.values > maxPastValues {
		t.Fatalf("a model over the bound was kept (%d weights held)", c.values)
	}
}
