package session

import (
	"sync"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/datasets"
	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// The PCA baseline of feature extraction is fitted on the first examples
// of the training split, whatever the session: a sweep of networks on the
// same data needs the same fit, and the SVD costs a second or more. A few
// fits are kept (the least recently used is forgotten), each with every
// component, so one fit serves any width.

const pcaCacheSize = 4

type pcaKey struct {
	ds *datasets.Dataset // datasets from the registry are shared, so the pointer names the data
	n  int               // training examples fitted on
}

type pcaEntry struct {
	once sync.Once
	pca  *ae.PCA
	err  error
}

var pcaCache = struct {
	mu  sync.Mutex
	lru *simplelru.LRU[pcaKey, *pcaEntry]
}{lru: must(simplelru.NewLRU[pcaKey, *pcaEntry](pcaCacheSize, nil))}

// cachedPCA returns the PCA of the first n training examples of ds with
// min(n, K) components, fitting it once.
func cachedPCA(ds *datasets.Dataset, n int) (*ae.PCA, error) {
	key := pcaKey{ds, n}
	pcaCache.mu.Lock()
	e, ok := pcaCache.lru.Get(key)
	if !ok {
		e = &pcaEntry{}
		pcaCache.lru.Add(key, e)
	}
	pcaCache.mu.Unlock()

	e.once.Do(func() {
		k := ds.Features
		e.pca, e.err = ae.FitPCA(ds.Train.Rows(nil, 0, n), n, k, min(n, k))
	})
	return e.pca, e.err
}

// must returns v, panicking on err: for values that cannot fail to build
// (an LRU of a positive constant size).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
