package session

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"
)

// Persistence runs beside the trainings, never in their way: what a
// session publishes is added to a pending batch under a short lock, and
// one writer goroutine writes the batch to the Store every flushEvery. The
// pending batch is bounded: past maxPendingPoints curve points a session's
// oldest pending training-loss points are merged pairwise (their mean), so
// a slow disk costs resolution, never memory or training time. Frames and
// heads keep only their latest version; checkpoints keep the latest two
// per session.
const (
	flushEvery       = time.Second
	maxPendingPoints = 4096 // per session
	trimEvery        = 30   // flushes between retention checks
)

// recorder batches writes to a Store.
type recorder struct {
	st       Store
	log      *slog.Logger
	maxBytes int64
	kick     chan struct{} // asks for an early flush (capacity 1)
	done     chan struct{}
	stop     context.CancelFunc
	// flushing serializes flushes (the writer's, and those of FlushStore
	// and the run list), so that batches reach the store in the order
	// they were gathered.
	flushing sync.Mutex

	// onKeyframes, when set, is told after each written batch which
	// keyframes of which session the store now has.
	onKeyframes func(id string, steps []int)

	mu      sync.Mutex
	pending *pendingBatch
	written int64 // batches written, for tests and figures
}

// pendingBatch is a Batch being gathered, with the latest head of each
// session by ID.
type pendingBatch struct {
	heads  map[string]SessionRecord
	order  []string // session IDs in the order their heads first came
	points map[string][]SeriesPoint
	frames map[string]Frames
	ckpts  map[string][]Checkpoint
	kfs    map[string][]Keyframe
	comps  []ComparisonRecord
	rewind map[string]int // Batch.Rewind
}

func newPendingBatch() *pendingBatch {
	return &pendingBatch{heads: map[string]SessionRecord{}, points: map[string][]SeriesPoint{},
		frames: map[string]Frames{}, ckpts: map[string][]Checkpoint{}, kfs: map[string][]Keyframe{}}
}

func (p *pendingBatch) batch() *Batch {
	b := &Batch{Points: p.points, Frames: p.frames, Comparisons: p.comps, Rewind: p.rewind}
	for _, id := range p.order {
		b.Sessions = append(b.Sessions, p.heads[id])
	}
	for _, id := range p.order {
		b.Checkpoints = append(b.Checkpoints, p.ckpts[id]...)
	}
	for id, cs := range p.ckpts { // checkpoints of sessions whose head is already written
		if _, ok := p.heads[id]; !ok {
			b.Checkpoints = append(b.Checkpoints, cs...)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(p.kfs)) {
		b.Keyframes = append(b.Keyframes, p.kfs[id]...)
	}
	return b
}

// newRecorder starts the writer goroutine of st; maxBytes bounds the store
// (Store.Trim).
func newRecorder(st Store, maxBytes int64, log *slog.Logger) *recorder {
	ctx, stop := context.WithCancel(context.Background())
	r := &recorder{st: st, log: log, maxBytes: maxBytes, kick: make(chan struct{}, 1), done: make(chan struct{}),
		stop: stop, pending: newPendingBatch()}
	go r.run(ctx)
	return r
}

func (r *recorder) run(ctx context.Context) {
	defer close(r.done)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			r.flush()
			return
		case <-t.C:
		case <-r.kick:
		}
		r.flush()
		if r.maxBytes > 0 && n%trimEvery == 0 {
			r.trim()
		}
	}
}

// flush writes what is pending. A failed write is logged and dropped: the
// next ones still go through.
func (r *recorder) flush() {
	r.flushing.Lock()
	defer r.flushing.Unlock()
	r.mu.Lock()
	p := r.pending
	r.pending = newPendingBatch()
	r.mu.Unlock()
	b := p.batch()
	if b.Empty() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.st.Write(ctx, b); err != nil {
		r.log.Error("store: a batch could not be written; its changes are lost", "err", err, "sessions", len(b.Sessions), "checkpoints", len(b.Checkpoints))
		return
	}
	r.mu.Lock()
	r.written++
	r.mu.Unlock()
	if r.onKeyframes != nil {
		for id, ks := range p.kfs {
			steps := make([]int, len(ks))
			for i, k := range ks {
				steps[i] = k.Step
			}
			r.onKeyframes(id, steps)
		}
	}
}

func (r *recorder) trim() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := r.st.Trim(ctx, r.maxBytes)
	if err != nil {
		r.log.Error("store: trimming failed", "err", err)
		return
	}
	if len(rep.WeightsOf)+len(rep.KeyframesOf)+len(rep.FramesOf) > 0 {
		r.log.Info("store full: the oldest ended runs lost their weights, replays or pictures (their curves stay)",
			"weights_of", len(rep.WeightsOf), "replays_of", len(rep.KeyframesOf), "frames_of", len(rep.FramesOf), "used_bytes", rep.Usage, "max_bytes", r.maxBytes)
	}
}

// Flush writes everything pending now and waits for it.
func (r *recorder) Flush() {
	r.flush()
}

// close writes what is pending and stops the writer.
func (r *recorder) close() {
	r.stop()
	<-r.done
}

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
	cur := r.pending.frames[id]
	if f.Progress != nil {
		cur.Progress = f.Progress
	}
	if f.Latent != nil {
		cur.Latent = f.Latent
	}
	if f.Reconstructions != nil {
		cur.Reconstructions = f.Reconstructions
	}
	if f.Anomaly != nil {
		cur.Anomaly = f.Anomaly
	}
	r.pending.frames[id] = cur
}

// checkpoint records a session's weights; of those not yet written, the
// latest two are kept.
func (r *recorder) checkpoint(c Checkpoint) {
	r.mu.Lock()
	cs := append(r.pending.ckpts[c.SessionID], c)
	if len(cs) > 2 {
		cs = cs[len(cs)-2:]
	}
	r.pending.ckpts[c.SessionID] = cs
	r.mu.Unlock()
	select { // weights are worth writing soon
	case r.kick <- struct{}{}:
	default:
	}
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

// forget drops everything pending for a session (it is being deleted).
func (r *recorder) forget(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.pending
	if _, ok := p.heads[id]; ok {
		delete(p.heads, id)
		p.order = slices.DeleteFunc(p.order, func(x string) bool { return x == id })
	}
	delete(p.points, id)
	delete(p.frames, id)
	delete(p.ckpts, id)
	delete(p.kfs, id)
}
