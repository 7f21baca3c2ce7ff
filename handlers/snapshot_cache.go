package handlers

import (
	"sync"
	"weak"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/session"
	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// Bounds of the code cache: float32 values (16 MB) and sessions.
const (
	maxCachedValues   = 4 << 20
	maxCachedSessions = 1024
)

// codeCache keeps, for each session, the codes of its latent examples under
// its latest snapshot, so that the manifold and the statistics requests of a
// whole class share one encoding per snapshot. It holds snapshots weakly: a
// cached entry never keeps old weights alive. Past its bounds it forgets the
// sessions whose codes were used least recently.
type codeCache struct {
	mu     sync.Mutex
	byID   *simplelru.LRU[string, codeEntry]
	values int // float32 values held by byID
}

type codeEntry struct {
	snap  weak.Pointer[ae.Snapshot]
	codes []float32
	n     int
}

func newCodeCache() *codeCache {
	c := &codeCache{}
	c.byID, _ = simplelru.NewLRU(maxCachedSessions, func(_ string, e codeEntry) { c.values -= len(e.codes) })
	return c
}

// codes returns the n×M codes of the first n test examples (those of the
// latent messages) under md's snapshot.
func (c *codeCache) codes(md model) ([]float32, int) {
	key := weak.Make(md.snap)
	c.mu.Lock()
	e, ok := c.byID.Get(md.s.ID())
	c.mu.Unlock()
	if ok && e.snap == key {
		return e.codes, e.n
	}
	n := session.LatentExamples(md.ds)
	codes := make([]float32, n*md.snap.LatentDim())
	md.snap.Encode(codes, md.ds.Test.Rows(nil, 0, n), n)

	c.mu.Lock()
	defer c.mu.Unlock()
	c.byID.Remove(md.s.ID())
	for c.values+len(codes) > maxCachedValues {
		if _, _, ok := c.byID.RemoveOldest(); !ok {
			break
		}
	}
	if len(codes) <= maxCachedValues {
		c.byID.Add(md.s.ID(), codeEntry{snap: key, codes: codes, n: n})
		c.values += len(codes)
	}
	return codes, n
}
