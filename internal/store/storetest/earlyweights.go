package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aelab/aelab/session"
)

// testEarlyWeights: early weights are kept by session and step (a second
// write of a step replaces the first), listed in step order, read back
// exactly, rewound with a resumed run, deleted with their session, and
// trimmed (with the weights) from ended runs only.
func testEarlyWeights(t *testing.T, s session.Store) {
	ctx := context.Background()
	write(t, s, &session.Batch{Sessions: []session.SessionRecord{Record("a", session.Running, t0), Record("b", session.Running, t0)}})
	if steps, err := s.EarlyWeightSteps(ctx, "a"); err != nil || len(steps) != 0 {
		t.Fatalf("EarlyWeightSteps before any = %v, %v; want none", steps, err)
	}
	if c, err := s.EarlyWeightsAt(ctx, "a", 0); err != nil || c != nil {
		t.Fatalf("EarlyWeightsAt before any = %v, %v; want nil", c, err)
	}
	write(t, s, &session.Batch{EarlyWeights: []session.Checkpoint{
		{SessionID: "a", Step: 5, Params: params(300, 1)}, {SessionID: "a", Step: 0, Params: params(300, 2)},
		{SessionID: "b", Step: 1, Params: params(300, 3)}}})
	write(t, s, &session.Batch{EarlyWeights: []session.Checkpoint{{SessionID: "a", Step: 5, Params: params(300, 4)}}}) // replaces 5
	if steps, err := s.EarlyWeightSteps(ctx, "a"); err != nil || !slices.Equal(steps, []int{0, 5}) {
		t.Fatalf("EarlyWeightSteps(a) = %v, %v; want [0 5]", steps, err)
	}
	c, err := s.EarlyWeightsAt(ctx, "a", 5)
	if err != nil || c == nil || c.SessionID != "a" || c.Step != 5 || c.State != nil || !slices.Equal(c.Params, params(300, 4)) {
		t.Fatalf("EarlyWeightsAt(a, 5) = %+v, %v; want the second write's weights", c, err)
	}
	if c, err := s.EarlyWeightsAt(ctx, "a", 2); err != nil || c != nil {
		t.Fatalf("EarlyWeightsAt at a step without any = %v, %v; want nil", c, err)
	}
	// They are not checkpoints: a resume never starts from them.
	if ck, err := s.Checkpoint(ctx, "a"); err != nil || ck != nil {
		t.Fatalf("Checkpoint(a) = %v, %v; early weights are no checkpoint", ck, err)
	}
	if steps, _ := s.Checkpoints(ctx, "a"); len(steps) != 0 {
		t.Fatalf("Checkpoints(a) = %v; early weights are not listed there", steps)
	}
	// A resumed run forgets those past its checkpoint.
	write(t, s, &session.Batch{Rewind: map[string]int{"a": 2}})
	if steps, _ := s.EarlyWeightSteps(ctx, "a"); !slices.Equal(steps, []int{0}) {
		t.Fatalf("after rewinding a to step 2: early weights at %v, want [0]", steps)
	}
	if err := s.DeleteSession(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if steps, _ := s.EarlyWeightSteps(ctx, "a"); len(steps) != 0 {
		t.Errorf("a deleted session kept early weights at %v", steps)
	}
	if c, _ := s.EarlyWeightsAt(ctx, "a", 0); c != nil {
		t.Error("a deleted session's early weights are still read")
	}
	if steps, _ := s.EarlyWeightSteps(ctx, "b"); !slices.Equal(steps, []int{1}) {
		t.Errorf("deleting a took b's early weights: %v left", steps)
	}

	// Trim: an ended run's early weights go with its weights, a running
	// one keeps them.
	end := Record("ended", session.Completed, t0.Add(time.Hour))
	write(t, s, &session.Batch{Sessions: []session.SessionRecord{end}, EarlyWeights: []session.Checkpoint{
		{SessionID: "ended", Step: 0, Params: params(200_000, 5)}, {SessionID: "ended", Step: 1, Params: params(200_000, 6)}}})
	full, err := s.Usage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Trim(ctx, full-500_000)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.WeightsOf, []string{"ended"}) {
		t.Fatalf("Trim removed the weights of %v; want [ended]", rep.WeightsOf)
	}
	if steps, _ := s.EarlyWeightSteps(ctx, "ended"); len(steps) != 0 {
		t.Errorf("a trimmed ended run kept early weights at %v", steps)
	}
	if steps, _ := s.EarlyWeightSteps(ctx, "b"); !slices.Equal(steps, []int{1}) {
		t.Errorf("Trim took a running run's early weights: %v left", steps)
	}
}
