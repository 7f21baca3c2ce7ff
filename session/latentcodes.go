package session

import (
	"context"
)

// LatentCodes are the codes of the test examples that the latent scatter
// shows, in full (not projected to 2-D): what GET
// /api/sessions/{id}/latent.csv exports.
type LatentCodes struct {
	Step       int       // training steps of the weights that made them
	Dim        int       // M, the width of a code
	Codes      []float32 // n×M
	Labels     []int     // n class indices (−1: unlabelled)
	ClassNames []string
}

// LatentCodes encodes the scatter's test examples with the session's
// latest weights (waiting for them until ctx ends, see Snapshot).
func (s *Session) LatentCodes(ctx context.Context) (*LatentCodes, error) {
	snap, err := s.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	ds := s.Dataset()
	if ds == nil {
		return nil, Errorf(EUnavailable, "the dataset of session %s is not loaded yet; try again in a moment", s.id)
	}
	n := min(latentExamples, ds.Test.N)
	m := snap.LatentDim()
	lc := &LatentCodes{Step: snap.Steps(), Dim: m, Codes: make([]float32, n*m), Labels: ds.Test.Labels[:n], ClassNames: ds.ClassNames}
	snap.Encode(lc.Codes, ds.Test.Rows(nil, 0, n), n)
	return lc, nil
}
