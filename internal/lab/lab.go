// Package lab holds the computations of the labs and analyses that run on
// a session's frozen weights: decoding and encoding codes, the latent
// manifold and statistics, compression curves, test-time denoising, PCA
// projections and the like. Every computation is admitted by the session
// manager's door (Runner); the HTTP layer only decodes requests, calls
// this package and encodes what it returns (the result types carry their
// JSON names, docs/api.md).
package lab

import (
	"context"
	"time"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/datasets"
	"github.com/aelab/aelab/session"
)

// Bounds of the views (docs/api.md, "Running the model").
const (
	// MaxExamples is the most test examples one view may encode.
	MaxExamples = 1024
	// ManifoldQuantile: the manifold grid spans the 2%–98% quantiles of the codes.
	ManifoldQuantile = 0.02
	// SnapshotWait is how long a view waits for a session's first snapshot.
	SnapshotWait = 5 * time.Second
)

// Model is what a view works on: a session, the snapshot of its weights
// the view runs and the data it trains on.
type Model struct {
	S    *session.Session
	Snap *ae.Snapshot
	DS   *datasets.Dataset
	// Past: Snap holds kept weights of a past step (Runner.At), not the
	// session's latest snapshot.
	Past bool
	// Checkpoint: the session is trained by another replica that did not
	// answer in time, so Snap holds its latest checkpoint's weights, not
	// its live ones (session.Weights).
	Checkpoint bool
}

// Runner runs views and analyses on sessions' frozen weights (never on a
// live model), each admitted by the manager's door, and caches the codes
// of the latent examples of each session's latest snapshot, which the
// manifold and the statistics share.
type Runner struct {
	m     *session.Manager
	cache *CodeCache
	past  *pastCache
}

// NewRunner returns a runner whose work is admitted by m's door.
func NewRunner(m *session.Manager) *Runner {
	return &Runner{m: m, cache: NewCodeCache(), past: newPastCache()}
}

// Load finds session id and its latest snapshot, waiting up to
// SnapshotWait for the first one.
func (rn *Runner) Load(ctx context.Context, id string) (Model, error) {
	s, err := rn.m.Get(id)
	if err != nil {
		return Model{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, SnapshotWait)
	defer cancel()
	w, err := s.LiveWeights(ctx)
	if err != nil {
		return Model{}, err
	}
	ds := s.Dataset()
	if ds == nil { // cannot happen once a snapshot exists; kept for safety
		return Model{}, session.Errorf(session.EUnavailable, "the data of session %s is not loaded yet; try again in a moment", s.ID())
	}
	return Model{S: s, Snap: w.Snap, DS: ds, Checkpoint: w.Checkpoint}, nil
}

// Codes returns the n×M codes of md's latent examples (cached per snapshot).
func (rn *Runner) Codes(md Model) ([]float32, int) { return rn.cache.Codes(md) }

// View runs f on md as a view admitted by the door for the person at addr:
// a CPU turn of the pool the trainings share, a share of the memory budget
// (ViewMemory), the address's token.
func (rn *Runner) View(ctx context.Context, addr string, md Model, f func() error) error {
	return rn.m.Do(ctx, session.Work{Kind: session.WorkView, Addr: addr, Memory: ViewMemory(md)}, func(context.Context) error {
		return f()
	})
}

// ViewAt is View on the weights nearest step (At), read inside the same
// admission, whose memory share counts the weights read (PastMemory).
func (rn *Runner) ViewAt(ctx context.Context, addr string, md Model, step int, f func(Model) error) error {
	if err := CheckStep(md, step); err != nil { // before taking a token
		return err
	}
	w := session.Work{Kind: session.WorkView, Addr: addr, Memory: ViewMemory(md) + PastMemory(md)}
	return rn.m.Do(ctx, w, func(ctx context.Context) error {
		at, err := rn.At(ctx, md, step)
		if err != nil {
			return err
		}
		return f(at)
	})
}

// ViewMemory estimates the bytes one view of md holds: evaluation buffers
// and the inputs and outputs of up to MaxExamples rows of every layer.
func ViewMemory(md Model) int64 {
	units := 0
	for _, w := range md.Snap.Config().Sizes {
		units += w
	}
	return int64(8*(256+MaxExamples)*units) + 1<<20
}
