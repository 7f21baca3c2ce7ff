package session

import (
	"slices"
	"sync"

	"github.com/aelab/aelab/ae"
)

// Early weights: the store keeps a run's weights at every epoch's end, but
// most of the learning happens before the first one. So that the replay's
// manifold can show those early moments too, the trainer keeps a copy of
// the weights at the keyframe steps before the first epoch's end (step 0,
// 1, 2, 5, 10, …) in memory, for small networks with a 2-unit code only
// (those with a manifold), under one bound for
// the whole server: at most maxEarlyValues weights in all, the oldest
// copies forgotten first. They are also written to the store (some of them
// for a larger network; earlystore.go), which serves them after a restart.

// Bounds of the early weights.
const (
	maxEarlyParams = 1 << 19 // networks of at most 512 Ki weights (the latent explorer's has 403 Ki)
	maxEarlyValues = 4 << 20 // weights held in all (16 MiB)
)

// earlySnaps is what a session holds of its early copies.
type earlySnaps struct {
	mu    sync.Mutex
	snaps map[int]*ae.Snapshot // by step
}

func (es *earlySnaps) put(step int, sn *ae.Snapshot) {
	es.mu.Lock()
	defer es.mu.Unlock()
	if sn == nil {
		delete(es.snaps, step)
		return
	}
	if es.snaps == nil {
		es.snaps = map[int]*ae.Snapshot{}
	}
	es.snaps[step] = sn
}

// steps returns the steps of the copies, in increasing order.
func (es *earlySnaps) steps() []int {
	es.mu.Lock()
	defer es.mu.Unlock()
	out := make([]int, 0, len(es.snaps))
	for st := range es.snaps {
		out = append(out, st)
	}
	slices.Sort(out)
	return out
}

// at returns the copy at step, or nil.
func (es *earlySnaps) at(step int) *ae.Snapshot {
	es.mu.Lock()
	defer es.mu.Unlock()
	return es.snaps[step]
}

// earlyWeights is the manager's account of the early copies, oldest first
// (its mu is taken before a session's).
type earlyWeights struct {
	mu     sync.Mutex
	order  []earlyEntry
	values int
}

type earlyEntry struct {
	s    *Session
	step int
	n    int
}

// keep adds sn as s's weights at step, forgetting the oldest copies (of
// any session) beyond the bound.
func (e *earlyWeights) keep(s *Session, step int, sn *ae.Snapshot) {
	n := sn.Config().NumParams()
	if n > maxEarlyParams {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if s.early.at(step) != nil { // a step pictured again (a resumed run): the newer copy
		s.early.put(step, sn)
		return
	}
	for e.values+n > maxEarlyValues && len(e.order) > 0 {
		old := e.order[0]
		e.order = e.order[1:]
		old.s.early.put(old.step, nil)
		e.values -= old.n
	}
	s.early.put(step, sn)
	e.order = append(e.order, earlyEntry{s: s, step: step, n: n})
	e.values += n
}

// forget lets go of every copy of s (deleted).
func (e *earlyWeights) forget(s *Session) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.order = slices.DeleteFunc(e.order, func(x earlyEntry) bool {
		if x.s == s {
			e.values -= x.n
			x.s.early.put(x.step, nil)
			return true
		}
		return false
	})
}

// keepEarlyWeights keeps a copy of the weights at the current step when it
// is a keyframe step before the first epoch's end (on the training
// goroutine, at a keyframe).
func (t *trainer) keepEarlyWeights() {
	// Only 2-unit codes, whose manifold shows the early moments best: a
	// class training wider codes pays nothing for them.
	if t.m == nil || t.step >= t.stepsPerEpoch || t.s.cfg.Bottleneck != 2 || t.model.NumParams() > maxEarlyParams {
		return
	}
	sn := t.model.Snapshot()
	t.m.early.keep(t.s, t.step, sn)
	t.storeEarlyWeights(sn)
}
