package session

import (
	"context"

	"github.com/aelab/aelab/ae"
)

// Early weights in the store: the copies a small run keeps of its weights
// before its first epoch's end (earlyweights.go) are also written to the
// store, so that the replay's manifold still shows those moments after a
// restart. What is written is bounded per run in bytes
// (maxStoredEarlyBytes: the keyframe steps are thinned evenly when a
// network is too large for all of them), and in total by the store's own
// bound (-max-store: Trim removes an ended run's early weights with its
// epochs' weights, oldest runs first); they are deleted with their run.
// Waiting copies are bounded too (maxPendingEarlyValues): a copy that does
// not fit is not written (it still serves from memory until a restart).

// EarlyWeightStore is the part of a Store that keeps early weights.
type EarlyWeightStore interface {
	// EarlyWeightSteps lists the steps of the kept early weights of
	// session id, in increasing order.
	EarlyWeightSteps(ctx context.Context, id string) ([]int, error)
	// EarlyWeightsAt returns the kept early weights of session id at step
	// (Params and Step set, State nil), or nil if none are kept there.
	EarlyWeightsAt(ctx context.Context, id string, step int) (*Checkpoint, error)
}

// Bounds of the early weights written to the store.
const (
	maxStoredEarlyBytes   = 8 << 20 // per run (5 copies of the latent explorer's 403 Ki weights)
	maxPendingEarlyValues = 4 << 20 // weights waiting to be written, all runs together (16 MiB)
)

// earlyCopy is an early copy waiting to be written.
type earlyCopy struct {
	id   string
	step int
	sn   *ae.Snapshot
}

// storedEarlySteps returns which of a run's keyframe steps (increasing)
// before its first epoch's end (stepsPerEpoch) the store keeps its weights
// at, for a network of params weights: all of them if they fit in
// maxStoredEarlyBytes, else as many as fit, evenly spread from the first
// to the last.
func storedEarlySteps(kfSteps []int, stepsPerEpoch, params int) []int {
	var early []int
	for _, st := range kfSteps {
		if st < stepsPerEpoch {
			early = append(early, st)
		}
	}
	fit := 0
	if params > 0 {
		fit = maxStoredEarlyBytes / (4 * params)
	}
	if len(early) <= fit {
		return early
	}
	switch fit {
	case 0:
		return nil
	case 1:
		return early[len(early)-1:]
	}
	out := make([]int, fit)
	for i := range fit {
		out[i] = early[i*(len(early)-1)/(fit-1)]
	}
	return out
}

// earlyWeights returns the early copies waiting as the batch's
// EarlyWeights, their weights copied out.
func (p *pendingBatch) earlyWeights() []Checkpoint {
	if len(p.early) == 0 {
		return nil
	}
	out := make([]Checkpoint, len(p.early))
	for i, c := range p.early {
		out[i] = Checkpoint{SessionID: c.id, Step: c.step, Params: c.sn.Params()}
	}
	p.early = nil
	return out
}

// earlyWeights queues session id's early copy sn at step for the store,
// replacing one of the same step still waiting; it is not taken if the
// copies waiting would exceed maxPendingEarlyValues.
func (r *recorder) earlyWeights(id string, step int, sn *ae.Snapshot) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.pending
	n := sn.Config().NumParams()
	waiting := 0
	for i, c := range p.early {
		if c.id == id && c.step == step {
			p.early[i].sn = sn
			return
		}
		waiting += c.sn.Config().NumParams()
	}
	if waiting+n > maxPendingEarlyValues {
		return
	}
	p.early = append(p.early, earlyCopy{id: id, step: step, sn: sn})
}

// storeEarlyWeights queues the copy just kept at the current step for the
// store if the run keeps one there (storedEarlySteps).
func (t *trainer) storeEarlyWeights(sn *ae.Snapshot) {
	if t.s.rec == nil {
		return
	}
	for _, st := range storedEarlySteps(t.kfSteps, t.stepsPerEpoch, sn.Config().NumParams()) {
		if st == t.step {
			t.s.rec.earlyWeights(t.s.id, t.step, sn)
			return
		}
	}
}
