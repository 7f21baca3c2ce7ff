package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aelab/aelab/session"
)

// testTrimKeepsResumable: a run stopped by a server's shutdown is not
// ended: it waits to be resumed from its last checkpoint (by another
// replica that takes its job over, or by this server once it restarts).
// Trim treats it as live and never removes its weights, early weights or
// keyframes, however full the store; an older run its owner stopped loses
// its weights as before.
func testTrimKeepsResumable(t *testing.T, s session.Store) {
	ctx := context.Background()
	owner := Record("owner-stopped", session.Stopped, t0)
	handed := Record("handed-over", session.Stopped, t0.Add(-time.Hour)) // the oldest: first in line
	handed.Reason = session.ShutdownReason
	for _, r := range []session.SessionRecord{owner, handed} {
		write(t, s, &session.Batch{
			Sessions:     []session.SessionRecord{r},
			Checkpoints:  []session.Checkpoint{{SessionID: r.ID, Step: 100, Epoch: 1, Params: params(50_000, 1), State: []byte("adam moments")}},
			EarlyWeights: []session.Checkpoint{{SessionID: r.ID, Step: 5, Params: params(50_000, 2)}},
			Keyframes:    []session.Keyframe{Keyframe(r.ID, 0, 2000, 1)},
		})
	}
	rep, err := s.Trim(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(rep.WeightsOf, handed.ID) || slices.Contains(rep.KeyframesOf, handed.ID) || slices.Contains(rep.FramesOf, handed.ID) {
		t.Errorf("Trim removed weights of %v, keyframes of %v, frames of %v: a run stopped by a shutdown waits to resume and must keep them",
			rep.WeightsOf, rep.KeyframesOf, rep.FramesOf)
	}
	if !slices.Contains(rep.WeightsOf, owner.ID) {
		t.Errorf("Trim removed weights of %v; want those of the run its owner stopped", rep.WeightsOf)
	}
	c, err := s.Checkpoint(ctx, handed.ID)
	if err != nil || c == nil || c.Step != 100 || string(c.State) != "adam moments" {
		t.Fatalf("the handed-over run's checkpoint after Trim: %+v, %v; want step 100 with its training state", c, err)
	}
	if steps, err := s.EarlyWeightSteps(ctx, handed.ID); err != nil || !slices.Equal(steps, []int{5}) {
		t.Errorf("the handed-over run's early weights after Trim: %v, %v; want [5]", steps, err)
	}
	if kfs, err := s.Keyframes(ctx, handed.ID); err != nil || len(kfs) != 1 {
		t.Errorf("the handed-over run's keyframes after Trim: %v, %v; want 1", kfs, err)
	}
}
