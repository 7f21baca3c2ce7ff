package session

import (
	"fmt"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/datasets"
)

// PCAView is what the "against PCA" lab puts beside an autoencoder: the
// principal components fitted on the same training examples as the PCA
// baseline of a comparison (the first min(train_size, 10,000) of the
// training split), cached per (dataset, rows), so that every session on the
// same data shares one fit.
type PCAView struct {
	PCA     *ae.PCA
	Data    *datasets.Dataset
	FitRows int // training examples the components were fitted on
	// TestRows is how many test examples the session measures its test loss
	// on (its test_size, or the whole test split).
	TestRows int
}

// PCAFor returns the PCA view of the data session s trains on. It loads the
// data itself if the session has not yet (a queued session), and fits the
// components the first time (seconds for 10,000 MNIST rows; the caller
// bounds how many run at once). The fit is cached.
func (m *Manager) PCAFor(s *Session) (PCAView, error) {
	c := s.Config()
	ds := s.Dataset()
	if ds == nil {
		var err error
		seed := uint64(0)
		if info, err := m.reg.Info(c.Dataset); err == nil && info.Source == datasets.SourceGenerated {
			seed = c.Seed
		}
		if ds, err = m.reg.Load(c.Dataset, seed); err != nil {
			return PCAView{}, Errorf(EConflict, "the data of session %s cannot be loaded: %v", s.ID(), err)
		}
	}
	train := c.TrainSize
	if train == 0 || train > ds.Train.N {
		train = ds.Train.N
	}
	n := baselineRows(train, ds.Features)
	if n < 2 {
		return PCAView{}, Errorf(EConflict, "PCA needs at least 2 training examples; session %s has %d", s.ID(), train)
	}
	p, err := cachedPCA(ds, n)
	if err != nil {
		return PCAView{}, fmt.Errorf("PCA of session %s: %w", s.ID(), err)
	}
	test := c.TestSize
	if test == 0 || test > ds.Test.N {
		test = ds.Test.N
	}
	return PCAView{PCA: p, Data: ds, FitRows: n, TestRows: test}, nil
}
