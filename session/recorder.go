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
// heads keep only their latest version.
//
// Checkpoints (a copy of a model's weights and optimizer state each) are
// budgeted in bytes: those waiting and the one being written together stay
// within maxPendingWeights, however many trainings reach an epoch's end at
// once.
// A session's checkpoints wait side by side while they fit (the replay
// needs every epoch's weights, and a short run reaches its next epoch
// before the writer's next flush). One that does not fit is not taken (its
// copy is never made), and never replaces one already taken, which may be
// an epoch's only weights: the training asks again at its next steps until
// there is room (a resumed run continues from any step, and the replay
// uses the kept weights nearest a moment). A run's final weights are
// always taken, and replace a waiting checkpoint of the same step. The
// writer writes the checkpoints one at a time, each in its own transaction
// after the rest of the batch, so that only one is ever encoded for the
// store at once.
//
// A write that fails (the store is unreachable, or slower than the write's
// timeout) is not the end of what it carried: the batch goes back to wait
// before what came since (recorderretry.go), a checkpoint before its
// session's newer ones, and is tried again at the next flushes, at most
// maxWriteAttempts times in all; only then is it dropped, so a store that
// stays broken costs what was recorded meanwhile, never unbounded memory.
const (
	flushEvery        = time.Second
	maxPendingPoints  = 4096    // per session
	trimEvery         = 30      // flushes between retention checks
	maxPendingWeights = 8 << 20 // bytes of checkpoints waiting or being written
	maxWriteAttempts  = 3       // tries of a batch or a checkpoint before it is dropped
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
	weights int64 // bytes of checkpoints waiting or being written
	// headStep is the step of each live session's head last written, and
	// held the step of the latest checkpoint of each session that waited
	// for it (holdBack). An entry of headStep goes when the session's ended head
	// (interrupted included) is written, one of held when its checkpoint
	// is: neither outlives its run, however long the server lives.
	headStep map[string]int
	held     map[string]int
	declined int64 // checkpoints not taken for want of room
	// ckptTries counts the failed writes of each checkpoint waiting to be
	// tried again; an entry goes when it is written or dropped.
	ckptTries map[ckptKey]int
}

// pendingBatch is a Batch being gathered, with the latest head of each
// session by ID.
type pendingBatch struct {
	heads  map[string]SessionRecord
	order  []string // session IDs in the order their heads first came
	points map[string][]SeriesPoint
	frames map[string]Frames
	ckpts  map[string][]*Checkpoint // each session's, oldest first
	final  []Checkpoint             // final weights, all kept
	kfs    map[string][]Keyframe
	early  []earlyCopy // Batch.EarlyWeights (earlystore.go)
	comps  []ComparisonRecord
	rewind map[string]int // Batch.Rewind
	// tries counts the failed writes of the oldest changes in the batch
	// (recorderretry.go).
	tries int
}

func newPendingBatch() *pendingBatch {
	return &pendingBatch{heads: map[string]SessionRecord{}, points: map[string][]SeriesPoint{},
		frames: map[string]Frames{}, ckpts: map[string][]*Checkpoint{}, kfs: map[string][]Keyframe{}}
}

// batch returns everything but the checkpoints, and the checkpoints in
// the order they are to be written (those of new heads first).
func (p *pendingBatch) batch() (*Batch, []Checkpoint) {
	b := &Batch{Points: p.points, Frames: p.frames, Comparisons: p.comps, Rewind: p.rewind}
	for _, id := range p.order {
		b.Sessions = append(b.Sessions, p.heads[id])
	}
	var cs []Checkpoint
	for _, id := range p.order {
		for _, c := range p.ckpts[id] {
			cs = append(cs, *c)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(p.ckpts)) { // sessions whose head is already written
		if _, ok := p.heads[id]; !ok {
			for _, c := range p.ckpts[id] {
				cs = append(cs, *c)
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(p.kfs)) {
		b.Keyframes = append(b.Keyframes, p.kfs[id]...)
	}
	b.EarlyWeights = p.earlyWeights()
	return b, append(cs, p.final...)
}

// weightBytes is the memory a checkpoint holds: its weights and the
// optimizer's state.
func weightBytes(c *Checkpoint) int64 { return 4*int64(len(c.Params)) + int64(len(c.State)) }

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
			// The last flush: a batch that fails is tried again at once.
			for range maxWriteAttempts {
				if r.flush(); r.idle() {
					break
				}
			}
			return
		case <-t.C:
		case <-r.kick:
		}
		r.flushBatch(true)
		if r.maxBytes > 0 && n%trimEvery == 0 {
			r.trim()
		}
	}
}

// flush writes what is pending. A failed write waits to be tried again
// with the next flush (at most maxWriteAttempts times in all).
func (r *recorder) flush() { r.flushBatch(false) }

// flushBatch writes what is pending: first the heads, points, frames and
// keyframes, then the checkpoints one at a time. With holdBack (the
// writer's own flushes), a checkpoint (final weights included) whose
// session's head in the store is still at an earlier step waits for the
// next flush, once: the
// trainer queues a checkpoint itself, but its step's losses and head
// reach the recorder through the hub a moment later, and a crash between
// the two writes would leave a checkpoint the run's head and curve have
// not reached (the run would be listed as interrupted an epoch early and
// resume past a gap in its curve).
func (r *recorder) flushBatch(holdBack bool) {
	r.flushing.Lock()
	defer r.flushing.Unlock()
	r.mu.Lock()
	p := r.pending
	r.pending = newPendingBatch()
	r.mu.Unlock()
	early := p.early
	b, cs := p.batch()
	p.ckpts, p.final = nil, nil // cs holds the only references to the weights
	wrote := false
	if !b.Empty() {
		err := r.write(b)
		wrote = err == nil
		if !wrote {
			p.early = early
			r.retry(p, err)
		}
	}
	var ended map[string]bool // sessions whose ended head this flush wrote
	if wrote {
		r.mu.Lock()
		if r.headStep == nil {
			r.headStep = map[string]int{}
		}
		for _, h := range b.Sessions {
			if h.State.Terminal() {
				delete(r.headStep, h.ID) // resumed, it writes a live head again
				if ended == nil {
					ended = map[string]bool{}
				}
				ended[h.ID] = true
			} else {
				r.headStep[h.ID] = h.Step
			}
		}
		r.mu.Unlock()
	}
	if wrote && r.onKeyframes != nil {
		for id, ks := range p.kfs {
			steps := make([]int, len(ks))
			for i, k := range ks {
				steps[i] = k.Step
			}
			r.onKeyframes(id, steps)
		}
	}
	for i, c := range cs {
		if holdBack && !ended[c.SessionID] && r.holdBack(c) {
			cs[i] = Checkpoint{}
			continue
		}
		err := r.write(&Batch{Checkpoints: []Checkpoint{c}})
		cs[i] = Checkpoint{} // let the weights go before the next is written
		if err != nil && r.retryCheckpoint(c, err) {
			continue // it waits again, still counted
		}
		r.mu.Lock()
		r.weights -= weightBytes(&c)
		delete(r.ckptTries, ckptKey{c.SessionID, c.Step}) // written (or dropped)
		if c.Final {
			delete(r.headStep, c.SessionID)
		}
		if c.Final || r.held[c.SessionID] <= c.Step {
			delete(r.held, c.SessionID) // the latest that waited is written
		}
		r.mu.Unlock()
	}
}

// holdBack puts c back to wait for the next flush, after the session's
// older checkpoints held back by the same flush and before those queued
// meanwhile (it stays counted in the budget), if its
// session's head in the store has not reached c's step and neither c nor
// a later checkpoint of the session has waited once already.
func (r *recorder) holdBack(c Checkpoint) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if h, ok := r.held[c.SessionID]; r.headStep[c.SessionID] >= c.Step || ok && h >= c.Step ||
		r.ckptTries[ckptKey{c.SessionID, c.Step}] > 0 { // tried already: it waited its turn
		return false
	}
	if r.held == nil {
		r.held = map[string]int{}
	}
	r.held[c.SessionID] = c.Step
	if c.Final {
		r.pending.final = append([]Checkpoint{c}, r.pending.final...)
	} else {
		r.pending.putBack(&c)
	}
	return true
}

// write writes one batch and returns the store's error, if any.
func (r *recorder) write(b *Batch) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.st.Write(ctx, b); err != nil {
		return err
	}
	r.mu.Lock()
	r.written++
	r.mu.Unlock()
	return nil
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

// idle reports whether nothing waits to be written.
func (r *recorder) idle() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.pending
	return len(p.heads)+len(p.points)+len(p.frames)+len(p.ckpts)+len(p.final)+len(p.kfs)+len(p.early)+
		len(p.comps)+len(p.rewind) == 0
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
