// Conformance: checkpoints (weights with the training's state) and the
// rewind of a resumed run.

package storetest

import (
	"context"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/aelab/aelab/session"
)

func params(n int, seed float32) []float32 {
	p := make([]float32, n)
	for i := range p {
		p[i] = seed*float32(i) - 3.25
	}
	p[0] = float32(math.Copysign(0, -1)) // -0 must survive
	p[n-1] = math.SmallestNonzeroFloat32
	return p
}

func testCheckpoints(t *testing.T, s session.Store) {
	ctx := context.Background()
	write(t, s, &session.Batch{Sessions: []session.SessionRecord{Record("a", session.Running, t0)}})
	if c, err := s.Checkpoint(ctx, "a"); err != nil || c != nil {
		t.Fatalf("Checkpoint before any = %v, %v; want nil", c, err)
	}
	for ep := 1; ep <= 3; ep++ {
		write(t, s, &session.Batch{Checkpoints: []session.Checkpoint{{SessionID: "a", Step: ep * 100, Epoch: ep, Params: params(1000, float32(ep))}}})
	}
	final := session.Checkpoint{SessionID: "a", Step: 350, Epoch: 4, Final: true, Params: params(1000, 9)}
	write(t, s, &session.Batch{Checkpoints: []session.Checkpoint{final}})
	c, err := s.Checkpoint(ctx, "a")
	if err != nil || c == nil {
		t.Fatalf("Checkpoint = %v, %v", c, err)
	}
	if c.Step != 350 || c.Epoch != 4 || !c.Final || c.SessionID != "a" || len(c.Params) != 1000 {
		t.Fatalf("latest checkpoint: step %d epoch %d final %v, %d params; want 350, 4, true, 1000", c.Step, c.Epoch, c.Final, len(c.Params))
	}
	for i := range c.Params {
		if math.Float32bits(c.Params[i]) != math.Float32bits(final.Params[i]) {
			t.Fatalf("param %d = %v, want %v bit for bit", i, c.Params[i], final.Params[i])
		}
	}
	steps, err := s.Checkpoints(ctx, "a")
	if err != nil || !slices.Equal(steps, []int{100, 200, 300, 350}) {
		t.Fatalf("Checkpoints = %v, %v; want [100 200 300 350]", steps, err)
	}
	at, err := s.CheckpointAt(ctx, "a", 200)
	if err != nil || at == nil || at.Step != 200 || at.Epoch != 2 || at.Final || len(at.Params) != 1000 || at.Params[0] != params(1000, 2)[0] {
		t.Fatalf("CheckpointAt(a, 200) = %+v, %v; want the weights of epoch 2", at, err)
	}
	if !slices.Equal(at.Params, params(1000, 2)) {
		t.Fatal("CheckpointAt(a, 200): the weights differ from those written")
	}
	if at, err := s.CheckpointAt(ctx, "a", 150); err != nil || at != nil {
		t.Fatalf("CheckpointAt(a, 150) = %v, %v; want nil (no checkpoint of that step)", at, err)
	}
}

// A checkpoint keeps the training's state beside its weights, byte for
// byte; one without (written before the store kept it) reads back nil.
func testCheckpointState(t *testing.T, s session.Store) {
	ctx := context.Background()
	write(t, s, &session.Batch{Sessions: []session.SessionRecord{Record("a", session.Running, t0), Record("b", session.Running, t0)}})
	state := make([]byte, 5000)
	for i := range state {
		state[i] = byte(i * 7)
	}
	write(t, s, &session.Batch{Checkpoints: []session.Checkpoint{
		{SessionID: "a", Step: 100, Epoch: 1, Params: params(10, 1), State: state},
		{SessionID: "b", Step: 100, Epoch: 1, Params: params(10, 1)},
	}})
	c, err := s.Checkpoint(ctx, "a")
	if err != nil || c == nil || !slices.Equal(c.State, state) {
		t.Fatalf("Checkpoint(a) = %v, %v; want its %d bytes of state back", c, err, len(state))
	}
	c, err = s.Checkpoint(ctx, "b")
	if err != nil || c == nil || c.State != nil {
		t.Fatalf("Checkpoint(b) = %+v, %v; want no state", c, err)
	}
	// A later checkpoint of the same step replaces the state too.
	write(t, s, &session.Batch{Checkpoints: []session.Checkpoint{{SessionID: "a", Step: 100, Epoch: 1, Params: params(10, 2), State: []byte{1}}}})
	if c, _ := s.Checkpoint(ctx, "a"); c == nil || !slices.Equal(c.State, []byte{1}) {
		t.Fatalf("after a replacement: %+v, want state [1]", c)
	}
	// A later checkpoint clears the state of the earlier ones.
	write(t, s, &session.Batch{Checkpoints: []session.Checkpoint{{SessionID: "a", Step: 200, Epoch: 2, Params: params(10, 3), State: []byte{2}}}})
	if c, _ := s.Checkpoint(ctx, "a"); c == nil || c.Step != 200 || !slices.Equal(c.State, []byte{2}) {
		t.Fatalf("the latest checkpoint: %+v, want step 200 with state [2]", c)
	}
}

// Rewind forgets the points after a step, before the batch's own points
// are appended, and touches no other session.
func testRewind(t *testing.T, s session.Store) {
	ctx := context.Background()
	write(t, s, &session.Batch{Sessions: []session.SessionRecord{Record("a", session.Running, t0), Record("b", session.Running, t0)}})
	var pts []session.SeriesPoint
	for step := 10; step <= 50; step += 10 {
		pts = append(pts, session.SeriesPoint{Series: session.SeriesTrain, Step: step, Value: float64(step)},
			session.SeriesPoint{Series: "psnr_denoised", Step: step, Value: 1})
	}
	write(t, s, &session.Batch{Points: map[string][]session.SeriesPoint{"a": pts, "b": pts}})
	again := []session.SeriesPoint{{Series: session.SeriesTrain, Step: 40, Value: -40}}
	write(t, s, &session.Batch{Rewind: map[string]int{"a": 30}, Points: map[string][]session.SeriesPoint{"a": again}})
	got, err := s.Points(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	want := append(slices.Clone(pts[:6]), again...)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after rewinding a to step 30:\n got %v\nwant %v", got, want)
	}
	if got, _ := s.Points(ctx, "b"); len(got) != len(pts) {
		t.Fatalf("rewinding a changed b: %d points, want %d", len(got), len(pts))
	}
	if !(&session.Batch{Rewind: map[string]int{"a": 0}}).Empty() {
		write(t, s, &session.Batch{Rewind: map[string]int{"a": 0}})
	} else {
		t.Fatal("a batch with only a rewind says it is empty")
	}
	if got, _ := s.Points(ctx, "a"); len(got) != 0 {
		t.Fatalf("after rewinding a to step 0: %v, want none", got)
	}
}
