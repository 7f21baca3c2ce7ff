// A batch or checkpoint the store failed to write waits to be tried again
// (see recorder.go): merged back before what the sessions queued since.

package session

import "slices"

// retry puts back old, a batch whose write failed with err, to be tried
// again with the next flush, before what is pending now; after
// maxWriteAttempts failed writes it is dropped. It reports whether old
// waits again.
func (r *recorder) retry(old *pendingBatch, err error) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	old.tries++
	if old.tries >= maxWriteAttempts {
		r.log.Error("store: a batch could not be written, again; its changes are lost", "err", err, "attempts", old.tries, "sessions", len(old.heads))
		for id, h := range old.heads {
			if h.State.Terminal() { // the run's notes go with its ended head
				delete(r.headStep, id)
			}
		}
		return false
	}
	r.log.Warn("store: a batch could not be written; it is tried again with the next", "err", err, "attempt", old.tries, "sessions", len(old.heads))
	r.pending = mergeBatches(old, r.pending)
	return true
}

// mergeBatches returns old followed by cur, cur's changes applying after
// old's: a head, frame or keyframe of cur replaces old's, curve points
// follow old's, and a rewind of cur drops what old would add past it.
func mergeBatches(old, cur *pendingBatch) *pendingBatch {
	for id, step := range cur.rewind {
		after := func(st int) bool { return st > step }
		old.points[id] = slices.DeleteFunc(old.points[id], func(p SeriesPoint) bool { return after(p.Step) })
		old.kfs[id] = slices.DeleteFunc(old.kfs[id], func(k Keyframe) bool { return after(k.Step) })
		old.early = slices.DeleteFunc(old.early, func(c earlyCopy) bool { return c.id == id && after(c.step) })
	}
	for id, step := range old.rewind { // the earlier rewind, if lower, covers both
		if cur.rewind == nil {
			cur.rewind = map[string]int{}
		}
		if st, ok := cur.rewind[id]; !ok || step < st {
			cur.rewind[id] = step
		}
	}
	order := old.order
	for _, id := range cur.order {
		if _, ok := old.heads[id]; !ok {
			order = append(order, id)
		}
	}
	for id, h := range old.heads {
		if _, ok := cur.heads[id]; !ok {
			cur.heads[id] = h
		}
	}
	cur.order = order
	for id, pts := range old.points {
		merged := append(pts, cur.points[id]...)
		for len(merged) > maxPendingPoints {
			n := len(merged)
			if merged = coalesce(merged); len(merged) == n {
				break // no training-loss points left to merge
			}
		}
		cur.points[id] = merged
	}
	for id, f := range old.frames {
		cur.frames[id] = f.overlay(cur.frames[id]) // the newer frames win
	}
	for id, ks := range old.kfs {
		newer := cur.kfs[id]
		for _, k := range ks {
			if len(newer) < MaxKeyframes && !slices.ContainsFunc(newer, func(x Keyframe) bool { return x.Step == k.Step }) {
				newer = append(newer, k)
			}
		}
		if len(newer) > 0 {
			cur.kfs[id] = newer
		}
	}
	cur.early = append(old.early, cur.early...)
	cur.comps = append(old.comps, cur.comps...)
	cur.tries = max(cur.tries, old.tries)
	return cur
}

// ckptKey names one checkpoint of one session.
type ckptKey struct {
	id   string
	step int
}

// retryCheckpoint puts back c, whose write failed with err, to wait
// before its session's checkpoints queued since (it stays counted in the
// budget, and is not held back for its head again); after
// maxWriteAttempts failed writes it is dropped. It reports whether c
// waits again.
func (r *recorder) retryCheckpoint(c Checkpoint, err error) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ckptTries == nil {
		r.ckptTries = map[ckptKey]int{}
	}
	k := ckptKey{c.SessionID, c.Step}
	r.ckptTries[k]++
	if n := r.ckptTries[k]; n >= maxWriteAttempts {
		delete(r.ckptTries, k)
		r.log.Error("store: a checkpoint could not be written, again; it is lost", "err", err, "session", c.SessionID, "step", c.Step, "attempts", n)
		return false
	}
	r.log.Warn("store: a checkpoint could not be written; it is tried again with the next flush", "err", err, "session", c.SessionID, "step", c.Step)
	p := r.pending
	if c.Final {
		p.final = append([]Checkpoint{c}, p.final...)
	} else {
		p.putBack(&c)
	}
	return true
}

// putBack puts c, a checkpoint taken from an earlier batch, among its
// session's waiting ones in the order of their steps: after the older
// ones put back by the same flush, before those queued since.
func (p *pendingBatch) putBack(c *Checkpoint) {
	cs := p.ckpts[c.SessionID]
	i := slices.IndexFunc(cs, func(x *Checkpoint) bool { return x.Step > c.Step })
	if i < 0 {
		i = len(cs)
	}
	p.ckpts[c.SessionID] = slices.Insert(cs, i, c)
}
