package lab

import (
	"context"
	"fmt"
	"sync"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/session"
	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// Past weights: the latent explorer follows the replay scrubber, so the
// views that run the model can be asked for a past step of the run (query
// ?step=, docs/api.md). They then run on the kept weights nearest that
// step (the store keeps the weights of every epoch's end, session.
// KeptWeights), or on the latest snapshot when it is nearer. Weights read
// from the store are kept in a small cache, bounded in models and in
// numbers, so that a class scrubbing the same run reads each epoch once.

// Bounds of the cache of past models.
const (
	maxPastModels = 32
	maxPastValues = 8 << 20 // float32 weights in all (32 MB)
)

type pastKey struct {
	id   string
	step int
}

// pastCache keeps recently used past models, least recently used out first.
type pastCache struct {
	mu     sync.Mutex
	lru    *simplelru.LRU[pastKey, *ae.Snapshot]
	values int
}

func newPastCache() *pastCache {
	c := &pastCache{}
	c.lru, _ = simplelru.NewLRU(maxPastModels, func(_ pastKey, sn *ae.Snapshot) { c.values -= sn.Config().NumParams() })
	return c
}

func (c *pastCache) get(k pastKey) *ae.Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	sn, _ := c.lru.Get(k)
	return sn
}

func (c *pastCache) add(k pastKey, sn *ae.Snapshot) {
	n := sn.Config().NumParams()
	if n > maxPastValues {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lru.Contains(k) {
		return
	}
	for c.values+n > maxPastValues {
		if _, _, ok := c.lru.RemoveOldest(); !ok {
			break
		}
	}
	c.lru.Add(k, sn)
	c.values += n
}

// NearestKept returns, of the steps kept (increasing) and the step live of
// the latest snapshot, the one nearest step; of two as near, the earlier.
func NearestKept(kept []int, live, step int) int {
	best := live
	for _, k := range kept {
		if d, bd := abs(k-step), abs(best-step); d < bd || (d == bd && k < best) {
			best = k
		}
	}
	return best
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// CheckStep refuses a step outside the run: from 0 to the step it has
// reached (field "step").
func CheckStep(md Model, step int) error {
	reached := max(md.S.Info().Step, md.Snap.Steps())
	if step < 0 || step > reached {
		return &session.Error{Code: session.EInvalid, Field: "step",
			Message: fmt.Sprintf("step = %d: session %s has trained %d steps, so step must be from 0 to %d", step, md.S.ID(), reached, reached)}
	}
	return nil
}

// At returns md on the weights nearest step (see NearestKept): md itself
// when its latest snapshot is nearest, else md with the kept weights.
func (rn *Runner) At(ctx context.Context, md Model, step int) (Model, error) {
	if err := CheckStep(md, step); err != nil {
		return Model{}, err
	}
	live := md.Snap.Steps()
	if step == live {
		return md, nil
	}
	kept, err := md.S.KeptWeights(ctx)
	if err != nil {
		return Model{}, err
	}
	at := NearestKept(kept, live, step)
	if at == live {
		return md, nil
	}
	k := pastKey{md.S.ID(), at}
	sn := rn.past.get(k)
	if sn == nil {
		if sn, err = md.S.WeightsAt(ctx, at); err != nil {
			return Model{}, err
		}
		rn.past.add(k, sn)
	}
	md.Snap = sn
	md.Past, md.Checkpoint = true, false
	return md, nil
}

// PastMemory estimates the bytes of reading one model's kept weights: the
// weights and the snapshot made of them.
func PastMemory(md Model) int64 { return 8 * int64(md.Snap.Config().NumParams()) }
