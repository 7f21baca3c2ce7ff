package session

import (
	"sync"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/datasets"
)

// The PCA baseline of feature extraction is fitted on the first examples
// of the training split, whatever the session: a sweep of networks on the
// same data needs the same fit, and the SVD costs a second or more. A few
// fits are kept, each with every component, so one fit serves any width.

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

var pcaCache struct {
	mu      sync.Mutex
	entries map[pcaKey]*pcaEntry
	order   []pcaKey // least recently used first
}

// cachedPCA returns the PCA of the first n training examples of ds with
// min(n, K) components, fitting it once.
func cachedPCA(ds *datasets.Dataset, n int) (*ae.PCA, error) {
	key := pcaKey{ds, n}
	pcaCache.mu.Lock()
	if pcaCache.entries == nil {
		pcaCache.entries = make(map[pcaKey]*pcaEntry)
	}
	e := pcaCache.entries[key]
	if e == nil {
		e = &pcaEntry{}
		pcaCache.entries[key] = e
		if len(pcaCache.order) == pcaCacheSize {
			delete(pcaCache.entries, pcaCache.order[0])
			pcaCache.order = pcaCache.order[1:]
		}
	} else {
		for i, k := range pcaCache.order {
			if k == key {
				pcaCache.order = append(pcaCache.order[:i], pcaCache.order[i+1:]...)
				break
			}
		}
	}
	pcaCache.order = append(pcaCache.order, key)
	pcaCache.mu.Unlock()

	e.once.Do(func() {
		k := ds.Features
		e.pca, e.err = ae.FitPCA(ds.Train.Rows(nil, 0, n), n, k, min(n, k))
	})
	return e.pca, e.err
}
