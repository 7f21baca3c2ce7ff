package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
)

// flakyStore fails the writes it is told to (a store unreachable for a
// moment, or slower than the write's timeout) and keeps what the others
// carried.
type flakyStore struct {
	Store
	mu        sync.Mutex
	failBatch int // writes of heads, points, ... still to fail
	failCkpt  int // writes of checkpoints still to fail
	heads     map[string]SessionRecord
	points    map[string][]SeriesPoint
	frames    map[string]Frames
	kfs       []string
	ckpts     []string
	comps     []string
	rewinds   []string
}

func (s *flakyStore) Write(_ context.Context, b *Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(b.Checkpoints) > 0 {
		if s.failCkpt > 0 {
			s.failCkpt--
			return errors.New("checkpoint write timed out")
		}
	} else if s.failBatch > 0 {
		s.failBatch--
		return errors.New("store unreachable")
	}
	for id, step := range b.Rewind {
		s.rewinds = append(s.rewinds, fmt.Sprintf("%s>%d", id, step))
		s.points[id] = slices.DeleteFunc(s.points[id], func(p SeriesPoint) bool { return p.Step > step })
	}
	for _, h := range b.Sessions {
		s.heads[h.ID] = h
	}
	for id, pts := range b.Points {
		s.points[id] = append(s.points[id], pts...)
	}
	for id, f := range b.Frames {
		s.frames[id] = f
	}
	for _, k := range b.Keyframes {
		s.kfs = append(s.kfs, fmt.Sprintf("%s@%d", k.SessionID, k.Step))
	}
	for _, c := range b.Checkpoints {
		s.ckpts = append(s.ckpts, fmt.Sprintf("%s@%d", c.SessionID, c.Step))
	}
	for _, c := range b.Comparisons {
		s.comps = append(s.comps, c.ID)
	}
	return nil
}

func newFlakyRecorder() (*recorder, *flakyStore) {
	st := &flakyStore{heads: map[string]SessionRecord{}, points: map[string][]SeriesPoint{}, frames: map[string]Frames{}}
	r := &recorder{st: st, log: slog.New(slog.NewTextHandler(io.Discard, nil)), kick: make(chan struct{}, 1), pending: newPendingBatch()}
	return r, st
}

// TestRecorderRetriesAFailedWrite: a batch the store fails to write (a
// moment unreachable, or slower than the write's timeout) is written with
// the next flush, before and beside what came meanwhile: a run's ended
// head, its curve points in order, its frames, keyframes, epoch and final
// weights and a comparison are all kept. Before, a failed write was
// logged and everything it carried lost: the run came back interrupted
// after a restart, its last curve points and its weights gone.
func TestRecorderRetriesAFailedWrite(t *testing.T) {
	r, st := newFlakyRecorder()
	fill := func(c *Checkpoint) { c.Params = make([]float32, 4) }
	pt := func(step int) SeriesPoint { return SeriesPoint{Series: SeriesTrain, Step: step, Value: float64(step)} }
	r.head(SessionRecord{ID: "s", State: Running, Step: 16})
	r.points("s", pt(8), pt(16))
	r.frames("s", Frames{Progress: &Progress{Step: 16}, Latent: &Latent{}})
	r.keyframe(Keyframe{SessionID: "s", Step: 16})
	r.comparison(ComparisonRecord{ID: "c1"})
	st.failBatch = 1
	r.flushBatch(true)
	if len(st.heads)+len(st.ckpts)+len(st.kfs) != 0 {
		t.Fatalf("a failed write kept heads %v, checkpoints %v, keyframes %v", st.heads, st.ckpts, st.kfs)
	}
	// Meanwhile the run ends: its last points, frames and final weights.
	r.points("s", pt(20))
	r.frames("s", Frames{Progress: &Progress{Step: 20}})
	r.keyframe(Keyframe{SessionID: "s", Step: 20})
	r.checkpoint(Checkpoint{SessionID: "s", Step: 16}, 16, fill)
	r.checkpoint(Checkpoint{SessionID: "s", Step: 20, Final: true}, 16, fill)
	r.head(SessionRecord{ID: "s", State: Completed, Step: 20})
	st.failCkpt = 1 // the epoch's weights fail once too
	r.flushBatch(true)
	r.flushBatch(true)
	h := st.heads["s"]
	if h.State != Completed || h.Step != 20 {
		t.Errorf("kept head %s at step %d; want completed at 20", h.State, h.Step)
	}
	var steps []int
	for _, p := range st.points["s"] {
		steps = append(steps, p.Step)
	}
	if !slices.Equal(steps, []int{8, 16, 20}) {
		t.Errorf("kept curve points at steps %v; want [8 16 20]", steps)
	}
	if f := st.frames["s"]; f.Progress == nil || f.Progress.Step != 20 || f.Latent == nil {
		t.Errorf("kept frames %+v; want the latest progress (step 20) and the latent of the failed batch", f)
	}
	if !slices.Equal(st.kfs, []string{"s@16", "s@20"}) || !slices.Equal(st.comps, []string{"c1"}) {
		t.Errorf("kept keyframes %v, comparisons %v; want [s@16 s@20], [c1]", st.kfs, st.comps)
	}
	if slices.Sort(st.ckpts); !slices.Equal(st.ckpts, []string{"s@16", "s@20"}) {
		t.Errorf("kept checkpoints %v; want [s@16 s@20]", st.ckpts)
	}
	if r.weights != 0 || len(r.headStep)+len(r.held)+len(r.ckptTries) != 0 {
		t.Errorf("left %d bytes of weights, notes %v %v %v", r.weights, r.headStep, r.held, r.ckptTries)
	}
}

// TestRecorderRetryKeepsRewindOrder: a resumed run's rewind queued while
// an older batch waits to be tried again still removes the older batch's
// points past it, and the points recorded after it stay.
func TestRecorderRetryKeepsRewindOrder(t *testing.T) {
	r, st := newFlakyRecorder()
	pt := func(step int) SeriesPoint { return SeriesPoint{Series: SeriesTest, Step: step} }
	r.head(SessionRecord{ID: "s", State: Running, Step: 30})
	r.points("s", pt(10), pt(20), pt(30))
	st.failBatch = 1
	r.flushBatch(false)
	r.rewind("s", 20)
	r.points("s", pt(25))
	r.flushBatch(false)
	var steps []int
	for _, p := range st.points["s"] {
		steps = append(steps, p.Step)
	}
	if !slices.Equal(steps, []int{10, 20, 25}) {
		t.Errorf("kept points at steps %v; want [10 20 25]", steps)
	}
}

// TestRecorderDropsAfterMaxAttempts: a store that stays broken costs what
// was recorded meanwhile, never unbounded memory: after maxWriteAttempts
// failed writes, a batch and a checkpoint are dropped and their budget
// freed.
func TestRecorderDropsAfterMaxAttempts(t *testing.T) {
	r, st := newFlakyRecorder()
	r.head(SessionRecord{ID: "s", State: Running, Step: 10})
	r.head(SessionRecord{ID: "u", State: Running, Step: 10})
	r.flushBatch(true) // noted at step 10
	st.failBatch, st.failCkpt = 1<<30, 1<<30
	r.head(SessionRecord{ID: "s", State: Completed, Step: 20})
	r.head(SessionRecord{ID: "u", State: Failed, Step: 20})
	r.checkpoint(Checkpoint{SessionID: "s", Step: 20, Final: true}, 16, func(c *Checkpoint) { c.Params = make([]float32, 4) })
	for range maxWriteAttempts + 1 { // the final weights wait one flush for their head first
		r.flushBatch(true)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if p := r.pending; len(p.heads)+len(p.final)+len(p.ckpts) != 0 || r.weights != 0 || len(r.ckptTries) != 0 {
		t.Errorf("after %d failed writes, %d heads, %d checkpoints, %d bytes and %v tries still wait", maxWriteAttempts, len(p.heads), len(p.final)+len(p.ckpts), r.weights, r.ckptTries)
	}
	// The run's ended head is lost: its notes go with it.
	if len(r.headStep)+len(r.held) != 0 {
		t.Errorf("the notes of a run whose ended head was dropped stay: heads %v, held %v", r.headStep, r.held)
	}
}

// TestRecorderCloseRetries: the writer's last flush, at shutdown, tries a
// failed batch again at once (there is no next flush).
func TestRecorderCloseRetries(t *testing.T) {
	st := &flakyStore{heads: map[string]SessionRecord{}, points: map[string][]SeriesPoint{}, frames: map[string]Frames{}}
	r := newRecorder(st, 0, slog.New(slog.NewTextHandler(io.Discard, nil)))
	st.mu.Lock()
	st.failBatch = 1
	st.mu.Unlock()
	r.head(SessionRecord{ID: "s", State: Stopped, Step: 20})
	r.close()
	if h, ok := st.heads["s"]; !ok || h.State != Stopped {
		t.Errorf("after close the store has head %+v (%v); want the stopped run", h, ok)
	}
}

// TestRecorderHoldsSeveralEpochsInOrder: two epochs' checkpoints of a
// short run that both wait for their head are written oldest first. Before,
// each was put back in front of the other, so step 32 was written before
// step 16: step 16 then kept its training state beside step 32's (only the
// latest needs it), and, with the budget full, a newer checkpoint replaced
// step 16 instead of the newest waiting one.
func TestRecorderHoldsSeveralEpochsInOrder(t *testing.T) {
	st := &countingStore{}
	r := &recorder{st: st, log: slog.New(slog.NewTextHandler(io.Discard, nil)), kick: make(chan struct{}, 1), pending: newPendingBatch()}
	st.r = r
	fill := func(c *Checkpoint) { c.Params = make([]float32, 4) }
	r.head(SessionRecord{ID: "s", State: Running, Step: 10})
	r.flushBatch(true)
	r.checkpoint(Checkpoint{SessionID: "s", Step: 16}, 16, fill)
	r.checkpoint(Checkpoint{SessionID: "s", Step: 32}, 16, fill)
	r.flushBatch(true) // the head is at 10: both wait
	if len(st.steps) != 0 {
		t.Fatalf("written %v; want both held back", st.steps)
	}
	r.head(SessionRecord{ID: "s", State: Running, Step: 32})
	r.flushBatch(true)
	if got := fmt.Sprint(st.steps); got != "[s@16 s@32]" {
		t.Errorf("written %s; want [s@16 s@32]", got)
	}
}

// TestRecorderHoldsFinalWeightsForTheirHead: a run's final weights wait,
// like an epoch's, for the head that reaches their step (the trainer
// queues them itself; its last curve points and ended head come through
// the hub a moment later, after the writer was kicked): a kill -9 between
// the two writes left a run whose kept weights are ahead of its head and
// curve, restored interrupted and resumed past a gap in its curve. Before,
// final weights were always written at once.
func TestRecorderHoldsFinalWeightsForTheirHead(t *testing.T) {
	st := &countingStore{}
	r := &recorder{st: st, log: slog.New(slog.NewTextHandler(io.Discard, nil)), kick: make(chan struct{}, 1), pending: newPendingBatch()}
	st.r = r
	fill := func(c *Checkpoint) { c.Params, c.State = make([]float32, 4), []byte{1} }
	r.head(SessionRecord{ID: "s", State: Running, Step: 10})
	r.flushBatch(true)
	r.checkpoint(Checkpoint{SessionID: "s", Step: 20, Final: true}, 20, fill) // stopped mid-epoch
	r.flushBatch(true)
	if len(st.steps) != 0 {
		t.Fatalf("written %v before the head reached step 20", st.steps)
	}
	r.head(SessionRecord{ID: "s", State: Stopped, Step: 20})
	r.flushBatch(true)
	if got := fmt.Sprint(st.steps); got != "[s@20]" || fmt.Sprint(st.ckpts) != "[0 0 1]" {
		t.Errorf("written %s in writes of %v checkpoints; want [s@20] after the ended head", got, st.ckpts)
	}
	if r.weights != 0 || len(r.held)+len(r.headStep) != 0 {
		t.Errorf("left %d bytes, held %v, heads %v", r.weights, r.held, r.headStep)
	}
	// A final checkpoint whose head waits longer than a flush is written
	// at the next one all the same.
	r.head(SessionRecord{ID: "t", State: Running, Step: 10})
	r.flushBatch(true)
	r.checkpoint(Checkpoint{SessionID: "t", Step: 20, Final: true}, 20, fill)
	r.flushBatch(true)
	r.flushBatch(true)
	if !slices.Contains(st.steps, "t@20") || r.weights != 0 || len(r.held) != 0 {
		t.Errorf("written %v, %d bytes and held %v left; want t@20 written after waiting one flush", st.steps, r.weights, r.held)
	}
}
