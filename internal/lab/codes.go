package lab

import (
	"fmt"
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

// CodeCache keeps, for each session, the codes of its latent examples under
// its latest snapshot, so that the manifold and the statistics requests of a
// whole class share one encoding per snapshot. It holds snapshots weakly: a
// cached entry never keeps old weights alive. Past its bounds it forgets the
// sessions whose codes were used least recently.
type CodeCache struct {
	mu     sync.Mutex
	byID   *simplelru.LRU[string, codeEntry]
	values int // float32 values held by byID
}

type codeEntry struct {
	snap  weak.Pointer[ae.Snapshot]
	codes []float32
	n     int
}

// NewCodeCache returns an empty cache.
func NewCodeCache() *CodeCache {
	c := &CodeCache{}
	c.byID, _ = simplelru.NewLRU(maxCachedSessions, func(_ string, e codeEntry) { c.values -= len(e.codes) })
	return c
}

// Codes returns the n×M codes of the first n test examples (those of the
// latent messages) under md's snapshot.
func (c *CodeCache) Codes(md Model) ([]float32, int) {
	key := weak.Make(md.Snap)
	id := md.S.ID()
	if md.Past { // kept weights of a past step: beside the latest snapshot's codes
		id = fmt.Sprintf("%s@%d", id, md.Snap.Steps())
	}
	c.mu.Lock()
	e, ok := c.byID.Get(id)
	c.mu.Unlock()
	if ok && e.snap == key {
		return e.codes, e.n
	}
	n := session.LatentExamples(md.DS)
	codes := make([]float32, n*md.Snap.LatentDim())
	md.Snap.Encode(codes, md.DS.Test.Rows(nil, 0, n), n)

	c.mu.Lock()
	defer c.mu.Unlock()
	c.byID.Remove(id)
	for c.values+len(codes) > maxCachedValues {
		if _, _, ok := c.byID.RemoveOldest(); !ok {
			break
		}
	}
	if len(codes) <= maxCachedValues {
		c.byID.Add(id, codeEntry{snap: key, codes: codes, n: n})
		c.values += len(codes)
	}
	return codes, n
}
