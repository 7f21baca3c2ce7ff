package handlers

import (
	"sync"
	"weak"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/session"
)

// maxCachedValues bounds the memory of the code cache (float32 values: 16 MB).
const maxCachedValues = 4 << 20

// codeCache keeps, for each session, the codes of its latent examples under
// its latest snapshot, so that the manifold and the statistics requests of a
// whole class share one encoding per snapshot. It holds snapshots weakly: a
// cached entry never keeps old weights alive.
type codeCache struct {
	mu     sync.Mutex
	byID   map[string]codeEntry
	values int
}

type codeEntry struct {
	snap  weak.Pointer[ae.Snapshot]
	codes []float32
	n     int
}

func newCodeCache() *codeCache { return &codeCache{byID: make(map[string]codeEntry)} }

// codes returns the n×M codes of the first n test examples (those of the
// latent messages) under md's snapshot.
func (c *codeCache) codes(md model) ([]float32, int) {
	key := weak.Make(md.snap)
	c.mu.Lock()
	e, ok := c.byID[md.s.ID()]
	c.mu.Unlock()
	if ok && e.snap == key {
		return e.codes, e.n
	}
	n := session.LatentExamples(md.ds)
	codes := make([]float32, n*md.snap.LatentDim())
	md.snap.Encode(codes, md.ds.Test.Rows(nil, 0, n), n)

	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.byID[md.s.ID()]; ok {
		c.values -= len(old.codes)
		delete(c.byID, md.s.ID())
	}
	for id, old := range c.byID { // evict arbitrary entries until the new one fits
		if c.values+len(codes) <= maxCachedValues {
			break
		}
		c.values -= len(old.codes)
		delete(c.byID, id)
	}
	if len(codes) <= maxCachedValues {
		c.byID[md.s.ID()] = codeEntry{snap: key, codes: codes, n: n}
		c.values += len(codes)
	}
	return codes, n
}
