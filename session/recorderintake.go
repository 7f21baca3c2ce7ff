// What the recorder takes from the sessions between two flushes: heads,
// curve points (coalesced past the bound), frames, checkpoints within the
// byte budget, keyframes, rewinds, comparisons and forgotten runs.

package session

import (
	"context"
	"slices"
	"time"
)

// head records the latest head of a session.
func (r *recorder) head(rec SessionRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.pending
	if _, ok := p.heads[rec.ID]; !ok {
		p.order = append(p.order, rec.ID)
	}
	p.heads[rec.ID] = rec
}

// points records curve points of a session, merging the oldest pending
// training-loss points when too many wait.
func (r *recorder) points(id string, pts ...SeriesPoint) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cur := append(r.pending.points[id], pts...)
	if len(cur) > maxPendingPoints {
		cur = coalesce(cur)
	}
	r.pending.points[id] = cur
}

// coalesce merges adjacent pairs of training-loss points in the older half
// of pts into their mean (at the later step); other series stay whole, and
// the order is kept.
func coalesce(pts []SeriesPoint) []SeriesPoint {
	half := len(pts) / 2
	out := make([]SeriesPoint, 0, len(pts))
	var held *SeriesPoint
	release := func() {
		if held != nil {
			out = append(out, *held)
			held = nil
		}
	}
	for _, p := range pts[:half] {
		switch {
		case p.Series != SeriesTrain:
			release()
			out = append(out, p)
		case held == nil:
			q := p
			held = &q
		default:
			p.Value = (held.Value + p.Value) / 2
			held = nil
			out = append(out, p)
		}
	}
	release()
	return append(out, pts[half:]...)
}

// frames records the latest frames of a session (nil fields keep the
// pending ones).
func (r *recorder) frames(id string, f Frames) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pending.frames[id] = r.pending.frames[id].overlay(f)
}

// overlay returns f with the non-nil fields of newer in place of its own.
func (f Frames) overlay(newer Frames) Frames {
	if newer.Progress != nil {
		f.Progress = newer.Progress
	}
	if newer.Latent != nil {
		f.Latent = newer.Latent
	}
	if newer.Reconstructions != nil {
		f.Reconstructions = newer.Reconstructions
	}
	if newer.Anomaly != nil {
		f.Anomaly = newer.Anomaly
	}
	return f
}

// checkpoint records a session's weights, which fill copies into c (its
// Params and State) and which est estimates in bytes. It waits beside the
// session's checkpoints still waiting if the weights waiting or being
// written stay within maxPendingWeights; otherwise it is not taken (fill
// is not called, false is returned) unless it is final or nothing else
// waits: a checkpoint already taken is never dropped for a newer one (a
// short run's epoch would lose its only weights; CI's
// TestBrowserLabExplorerReplay lost step 16's to step 32's). Final weights
// replace a waiting checkpoint of their own step.
func (r *recorder) checkpoint(c Checkpoint, est int64, fill func(*Checkpoint)) bool {
	size := est
	r.mu.Lock()
	p := r.pending
	waiting := p.ckpts[c.SessionID]
	if !c.Final && r.weights > 0 && r.weights+size > maxPendingWeights {
		r.declined++
		r.mu.Unlock()
		return false
	}
	fill(&c)
	r.weights += weightBytes(&c)
	if n := len(waiting); c.Final && n > 0 && waiting[n-1].Step == c.Step {
		r.weights -= weightBytes(waiting[n-1]) // the same step's weights, now final
		waiting = waiting[:n-1]
	}
	if c.Final {
		p.final = append(p.final, c)
	} else {
		waiting = append(waiting, &c)
	}
	if len(waiting) > 0 {
		p.ckpts[c.SessionID] = waiting
	} else {
		delete(p.ckpts, c.SessionID)
	}
	r.mu.Unlock()
	select { // weights are worth writing soon
	case r.kick <- struct{}{}:
	default:
	}
	return true
}

// keyframe records a keyframe (a session has at most MaxKeyframes, so
// the pending ones are bounded by that).
func (r *recorder) keyframe(k Keyframe) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ks := r.pending.kfs[k.SessionID]
	if i := slices.IndexFunc(ks, func(x Keyframe) bool { return x.Step == k.Step }); i >= 0 {
		ks[i] = k
		return
	}
	if len(ks) < MaxKeyframes {
		r.pending.kfs[k.SessionID] = append(ks, k)
	}
}

// rewind makes the store forget the curve points of session id after
// step, before any point pending or to come (a resumed session).
func (r *recorder) rewind(id string, step int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.pending
	if p.rewind == nil {
		p.rewind = make(map[string]int)
	}
	p.rewind[id] = step
	p.points[id] = slices.DeleteFunc(p.points[id], func(pt SeriesPoint) bool { return pt.Step > step })
}

// comparison records a comparison.
func (r *recorder) comparison(c ComparisonRecord) {
	r.mu.Lock()
	r.pending.comps = append(r.pending.comps, c)
	r.mu.Unlock()
}

// forget drops everything pending for a session (it is being deleted),
// after the flush in progress, if any, has written its batch: the caller
// deletes the session from the store next, and a batch still in flight
// would otherwise write its head, points or weights back afterwards. It
// returns ctx's error if that flush outlasts ctx (nothing is dropped).
func (r *recorder) forget(ctx context.Context, id string) error {
	for !r.flushing.TryLock() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	defer r.flushing.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.pending
	if _, ok := p.heads[id]; ok {
		delete(p.heads, id)
		p.order = slices.DeleteFunc(p.order, func(x string) bool { return x == id })
	}
	delete(p.points, id)
	delete(p.frames, id)
	for _, c := range p.ckpts[id] {
		r.weights -= weightBytes(c)
	}
	delete(p.ckpts, id)
	p.final = slices.DeleteFunc(p.final, func(c Checkpoint) bool {
		if c.SessionID == id {
			r.weights -= weightBytes(&c)
			return true
		}
		return false
	})
	delete(p.kfs, id)
	p.early = slices.DeleteFunc(p.early, func(c earlyCopy) bool { return c.id == id })
	delete(r.headStep, id)
	delete(r.held, id)
	for k := range r.ckptTries {
		if k.id == id {
			delete(r.ckptTries, k)
		}
	}
	return nil
}
