package session

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
)

// countingStore records what each Write got and the weight bytes the
// recorder held at that moment.
type countingStore struct {
	Store // only Write is used
	r     *recorder
	mu    sync.Mutex
	ckpts []int   // checkpoints per write
	held  []int64 // recorder.weights during each write
	steps []string
}

func (s *countingStore) Write(_ context.Context, b *Batch) error {
	s.r.mu.Lock()
	held := s.r.weights
	s.r.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ckpts = append(s.ckpts, len(b.Checkpoints))
	s.held = append(s.held, held)
	for _, c := range b.Checkpoints {
		s.steps = append(s.steps, fmt.Sprintf("%s@%d", c.SessionID, c.Step))
	}
	return nil
}

// TestRecorderWeightBudget: checkpoints waiting or being written stay
// within maxPendingWeights (one that does not fit is not even copied, nor
// does it replace a waiting one of its session), final weights are
// always taken, and the writer writes them one per transaction, letting
// each go as it is written.
func TestRecorderWeightBudget(t *testing.T) {
	st := &countingStore{}
	r := &recorder{st: st, log: slog.New(slog.NewTextHandler(io.Discard, nil)), kick: make(chan struct{}, 1), pending: newPendingBatch()}
	st.r = r
	const n = maxPendingWeights / 32 // weights, and as much optimizer state: four fit
	size := 2 * 4 * int64(n)
	fits := int(maxPendingWeights / size)
	copies := 0
	params := func(c *Checkpoint) { copies++; c.Params, c.State = make([]float32, n), make([]byte, 4*n) }
	for i := range fits + 4 {
		id := fmt.Sprintf("s%d", i)
		r.head(SessionRecord{ID: id})
		if got := r.checkpoint(Checkpoint{SessionID: id, Step: 10}, size, params); got != (i < fits) {
			t.Errorf("checkpoint of %s taken %v with %d bytes held", id, got, r.weights)
		}
	}
	if copies != fits || r.weights != int64(fits)*size || r.declined != 4 {
		t.Fatalf("%d copies made, %d bytes held, %d declined; want %d, %d, 4", copies, r.weights, r.declined, fits, int64(fits)*size)
	}
	// A newer checkpoint of a waiting session does not fit either: it is
	// not taken, and the waiting one (an epoch's only weights) stays.
	if r.checkpoint(Checkpoint{SessionID: "s0", Step: 20}, size, params) {
		t.Error("a session's newer checkpoint was taken past the budget")
	}
	if r.weights != int64(fits)*size || copies != fits {
		t.Errorf("after refusing, %d bytes held, %d copies made", r.weights, copies)
	}
	// Final weights are always taken; a waiting epoch's stays beside them.
	if !r.checkpoint(Checkpoint{SessionID: fmt.Sprintf("s%d", fits+1), Step: 30, Final: true}, size, params) {
		t.Error("final weights were refused")
	}
	if !r.checkpoint(Checkpoint{SessionID: "s1", Step: 40, Final: true}, size, params) {
		t.Error("final weights were refused")
	}
	want := int64(fits+2) * size
	if r.weights != want {
		t.Errorf("%d bytes held, want %d", r.weights, want)
	}
	r.flush()
	if r.weights != 0 {
		t.Errorf("%d bytes still held after the flush", r.weights)
	}
	// The heads first, then one checkpoint per write, each letting go of
	// the one before it.
	if len(st.ckpts) != fits+3 || st.ckpts[0] != 0 {
		t.Fatalf("writes with %v checkpoints; want the heads, then %d writes of one", st.ckpts, fits+2)
	}
	for i, c := range st.ckpts[1:] {
		if c != 1 {
			t.Errorf("write %d had %d checkpoints", i+1, c)
		}
		if got := st.held[i+1]; got != want-int64(i)*size {
			t.Errorf("write %d: %d bytes held, want %d", i+1, got, want-int64(i)*size)
		}
	}
	got := fmt.Sprint(st.steps)
	for _, w := range []string{"s0@10", "s1@10", "s1@40", fmt.Sprintf("s%d@30", fits+1)} {
		if !slices.Contains(st.steps, w) {
			t.Errorf("written %s; want %s among them", got, w)
		}
	}
	for _, nw := range []string{"s0@20"} {
		if slices.Contains(st.steps, nw) {
			t.Errorf("written %s; %s was refused", got, nw)
		}
	}
	// With nothing waiting, a checkpoint larger than the budget is taken.
	if !r.checkpoint(Checkpoint{SessionID: "big", Step: 1}, maxPendingWeights+4, func(c *Checkpoint) { c.Params = make([]float32, maxPendingWeights/4+1) }) {
		t.Error("a checkpoint larger than the budget was refused with nothing waiting")
	}
	_ = r.forget(context.Background(), "big")
	if r.weights != 0 {
		t.Errorf("forgetting a session left %d bytes held", r.weights)
	}
}

// headStepStore is a Store whose Write accepts everything (the recorder's
// bookkeeping is what is tested).
type headStepStore struct{ Store }

func (headStepStore) Write(context.Context, *Batch) error { return nil }

// TestRecorderForgetsEndedRuns: the writer's note of each session's head
// step and of the checkpoint held back for it go once the run has ended,
// interrupted runs (never deleted, no final weights) included, so a server
// that lives long keeps no entry per run it ever trained; a resumed run
// is noted again.
func TestRecorderForgetsEndedRuns(t *testing.T) {
	r := &recorder{st: headStepStore{}, log: slog.New(slog.NewTextHandler(io.Discard, nil)), kick: make(chan struct{}, 1), pending: newPendingBatch()}
	fill := func(c *Checkpoint) { c.Params = make([]float32, 4) }
	entries := func() int {
		r.mu.Lock()
		defer r.mu.Unlock()
		return len(r.headStep) + len(r.held)
	}
	for i := range 100 {
		id := fmt.Sprintf("s%d", i)
		r.head(SessionRecord{ID: id, State: Running, Step: 10})
		r.flushBatch(true)
		// The checkpoint of step 20 comes before the head that reaches it:
		// it waits one flush.
		r.checkpoint(Checkpoint{SessionID: id, Step: 20}, 16, fill)
		r.flushBatch(true)
		if r.held[id] != 20 || r.headStep[id] != 10 {
			t.Fatalf("run %s: held %d, head %d; want 20 and 10", id, r.held[id], r.headStep[id])
		}
		state := []State{Interrupted, Failed, Stopped}[i%3]
		r.head(SessionRecord{ID: id, State: state, Step: 25})
		r.flushBatch(true)
	}
	if n := entries(); n != 0 || r.weights != 0 {
		t.Fatalf("after 100 runs ended, %d entries and %d bytes of weights are kept; want none", n, r.weights)
	}
	// Resumed, a run is noted again, and an epoch's checkpoint that comes
	// with its ended head is written at once.
	r.head(SessionRecord{ID: "s0", State: Running, Step: 20})
	r.flushBatch(true)
	if r.headStep["s0"] != 20 {
		t.Errorf("a resumed run's head is at step %d in the notes, want 20", r.headStep["s0"])
	}
	r.checkpoint(Checkpoint{SessionID: "s0", Step: 30}, 16, fill)
	r.head(SessionRecord{ID: "s0", State: Interrupted, Step: 30})
	r.flushBatch(true)
	if n := entries(); n != 0 || r.weights != 0 {
		t.Errorf("%d entries, %d bytes kept after the resumed run ended with its checkpoint", n, r.weights)
	}
}

// An epoch's checkpoint held back for its head is not superseded by the
// final weights that come during that wait (a short run ends within it):
// both are written, the epoch's first, and nothing is left held
// (TestViewsAtPastStep lost step 16's weights this way on a loaded
// machine).
func TestRecorderKeepsAHeldEpochBesideTheFinal(t *testing.T) {
	st := &countingStore{}
	r := &recorder{st: st, log: slog.New(slog.NewTextHandler(io.Discard, nil)), kick: make(chan struct{}, 1), pending: newPendingBatch()}
	st.r = r
	fill := func(c *Checkpoint) { c.Params = make([]float32, 4) }
	r.head(SessionRecord{ID: "s", State: Running, Step: 10})
	r.flushBatch(true)
	r.checkpoint(Checkpoint{SessionID: "s", Step: 16}, 16, fill)
	r.flushBatch(true) // the head is at 10: step 16's weights wait
	if r.held["s"] != 16 {
		t.Fatalf("held %v; want step 16 held back", r.held)
	}
	r.checkpoint(Checkpoint{SessionID: "s", Step: 32, Final: true}, 16, fill)
	r.head(SessionRecord{ID: "s", State: Completed, Step: 32})
	r.flushBatch(true)
	if got := fmt.Sprint(st.steps); got != "[s@16 s@32]" {
		t.Errorf("written %s; want [s@16 s@32]", got)
	}
	if len(r.held)+len(r.headStep) != 0 || r.weights != 0 {
		t.Errorf("left held %v, heads %v, %d bytes", r.held, r.headStep, r.weights)
	}
}

// A short run reaches its next epoch's end before the writer's next flush
// (CI lost step 16 this way: the epoch at step 32 replaced it): both
// epochs' checkpoints wait side by side and are written, the final
// weights of step 32 replace the waiting non-final ones of that step, and
// an epoch held back for its head stays before the ones queued after it.
func TestRecorderKeepsEveryEpochOfAShortRun(t *testing.T) {
	for _, hold := range []bool{false, true} {
		st := &countingStore{}
		r := &recorder{st: st, log: slog.New(slog.NewTextHandler(io.Discard, nil)), kick: make(chan struct{}, 1), pending: newPendingBatch()}
		st.r = r
		fill := func(c *Checkpoint) { c.Params = make([]float32, 4) }
		r.head(SessionRecord{ID: "s", State: Running, Step: 10})
		r.flushBatch(true)
		r.checkpoint(Checkpoint{SessionID: "s", Step: 16}, 16, fill)
		if hold {
			r.flushBatch(true) // the head is at 10: step 16's weights wait
			if r.held["s"] != 16 || len(st.steps) != 0 {
				t.Fatalf("held %v, written %v; want step 16 held back", r.held, st.steps)
			}
		}
		r.checkpoint(Checkpoint{SessionID: "s", Step: 32}, 16, fill)
		r.checkpoint(Checkpoint{SessionID: "s", Step: 32, Final: true}, 16, fill)
		if r.weights != 32 {
			t.Errorf("hold %v: %d bytes held, want 32 (step 16's and the final)", hold, r.weights)
		}
		r.head(SessionRecord{ID: "s", State: Completed, Step: 32})
		r.flushBatch(true)
		if got := fmt.Sprint(st.steps); got != "[s@16 s@32]" {
			t.Errorf("hold %v: written %s; want [s@16 s@32]", hold, got)
		}
		if len(r.held)+len(r.headStep) != 0 || r.weights != 0 {
			t.Errorf("hold %v: left held %v, heads %v, %d bytes", hold, r.held, r.headStep, r.weights)
		}
	}
}

// A network whose checkpoint takes more than half the budget (the
// explorer's, about 5 MB with Adam's moments): its next epoch's checkpoint
// does not fit beside the one held back for its head, and is refused
// rather than put in its place, so the first epoch keeps its weights (CI's
// TestBrowserLabExplorerReplay lost step 16's to step 32's this way); the
// training's later ask is taken once the first is written.
func TestRecorderKeepsABigEpochHeldForItsHead(t *testing.T) {
	st := &countingStore{}
	r := &recorder{st: st, log: slog.New(slog.NewTextHandler(io.Discard, nil)), kick: make(chan struct{}, 1), pending: newPendingBatch()}
	st.r = r
	n := maxPendingWeights/4*3/4 + 1 // four bytes a weight: three quarters of the budget
	fill := func(c *Checkpoint) { c.Params = make([]float32, n) }
	size := int64(4 * n)
	r.head(SessionRecord{ID: "s", State: Running, Step: 10})
	r.flushBatch(true)
	if !r.checkpoint(Checkpoint{SessionID: "s", Step: 16}, size, fill) {
		t.Fatal("the first epoch's checkpoint was refused with nothing waiting")
	}
	r.flushBatch(true) // the head is at 10: step 16's weights wait
	if r.checkpoint(Checkpoint{SessionID: "s", Step: 32}, size, fill) {
		t.Error("step 32's checkpoint was taken past the budget")
	}
	r.head(SessionRecord{ID: "s", State: Running, Step: 33})
	r.flushBatch(true)
	if !r.checkpoint(Checkpoint{SessionID: "s", Step: 34}, size, fill) {
		t.Error("the training's later ask was refused once step 16's was written")
	}
	r.head(SessionRecord{ID: "s", State: Running, Step: 34})
	r.flushBatch(true)
	if got := fmt.Sprint(st.steps); got != "[s@16 s@34]" {
		t.Errorf("written %s; want [s@16 s@34]", got)
	}
}
