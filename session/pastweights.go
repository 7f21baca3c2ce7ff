package session

import (
	"context"
	"fmt"
	"slices"

	"github.com/aelab/aelab/ae"
)

// Past weights: the store keeps a run's weights at the end of every epoch
// (its checkpoints) and, for small networks, at the keyframe steps before
// the first epoch's end (earlystore.go), so that the views which run the model (the latent
// explorer's manifold and decoder) can show a past moment of the replay.

// KeptWeights lists the steps at which the session's weights are kept, in
// increasing order: every epoch's end in the store (empty without a store,
// or once trimmed) and, for a small network, the keyframe steps before its
// first epoch's end (in memory since the server started, and in the store).
func (s *Session) KeptWeights(ctx context.Context) ([]int, error) {
	steps := s.early.steps()
	if st := s.kf.st; st != nil {
		stored, err := st.Checkpoints(ctx, s.id)
		if err != nil {
			return nil, &Error{Code: EInternal, Message: "could not read the run's kept weights", Err: err}
		}
		steps = append(steps, stored...)
		early, err := st.EarlyWeightSteps(ctx, s.id)
		if err != nil {
			return nil, &Error{Code: EInternal, Message: "could not read the run's kept weights", Err: err}
		}
		steps = append(steps, early...)
		slices.Sort(steps)
		steps = slices.Compact(steps)
	}
	return steps, nil
}

// WeightsAt returns the session's kept weights after step (one of
// KeptWeights) as a snapshot; the session's dataset must be loaded (a view
// loads the latest snapshot first). A step whose weights are not kept (or
// were trimmed meanwhile) is an ENotFound error.
func (s *Session) WeightsAt(ctx context.Context, step int) (*ae.Snapshot, error) {
	if sn := s.early.at(step); sn != nil {
		return sn, nil
	}
	st := s.kf.st
	var c *Checkpoint
	if st != nil {
		var err error
		if c, err = st.CheckpointAt(ctx, s.id, step); err == nil && c == nil {
			c, err = st.EarlyWeightsAt(ctx, s.id, step)
		}
		if err != nil {
			return nil, &Error{Code: EInternal, Message: fmt.Sprintf("could not read the run's weights at step %d", step), Err: err}
		}
	}
	if c == nil {
		return nil, &Error{Code: ENotFound, Field: "step",
			Message: fmt.Sprintf("session %s keeps no weights at step %d (they are kept at every epoch's end, and early on for small networks; the oldest runs lose them when the store is full)", s.id, step)}
	}
	ds := s.Dataset()
	if ds == nil {
		return nil, Errorf(EUnavailable, "the data of session %s is not loaded yet; try again in a moment", s.id)
	}
	sn, err := ae.NewSnapshot(aeConfig(s.cfg, ds.Features), c.Params, c.Step)
	if err != nil {
		return nil, fmt.Errorf("the kept weights of session %s at step %d do not fit its configuration: %w", s.id, step, err)
	}
	return sn, nil
}
