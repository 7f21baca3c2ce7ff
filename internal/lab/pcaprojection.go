package lab

import (
	"context"
	"fmt"

	"github.com/aelab/aelab/session"
)

// PCAProjection is the answer of GET /api/sessions/{id}/pca-projection:
// what PCA with k components does with the session's data, to put beside
// the autoencoder. The scatter fields (projection … class_names) have the
// shape of the latent message of docs/protocol.md, so the page draws both
// with the same code.
type PCAProjection struct {
	Session    string    `json:"session"`
	K          int       `json:"k"`          // components asked for (the session's bottleneck unless ?k=)
	Components int       `json:"components"` // components used: k, or fewer when the fitted rows span fewer
	FitRows    int       `json:"fit_rows"`   // training examples the components were fitted on
	TestRows   int       `json:"test_rows"`  // test examples the error was measured on
	MSE        float64   `json:"mse"`        // test reconstruction MSE of PCA with Components components
	Explained  []float64 `json:"explained"`  // share of the variance along each component used
	Projection string    `json:"projection"` // always "pca"
	Axes       [2]string `json:"axes"`
	X          []float32 `json:"x"` // PC1 score of each latent example (the first test examples)
	Y          []float32 `json:"y"` // PC2 score (0 when Components is 1)
	Labels     []int     `json:"labels"`
	ClassNames []string  `json:"class_names"`
}

// PCAProjection places the latent examples (the first 1,000 test
// examples, those of the stream's latent scatter) on the first two
// principal components of s's training examples, and measures PCA's test
// error at k. The components are the PCA baseline's (fitted on the first
// min(train_size, 10,000) training examples, cached): the first request
// for a dataset takes seconds, which is why it runs as an analysis (a PCA
// fit admitted by the door for addr).
func (rn *Runner) PCAProjection(ctx context.Context, addr string, s *session.Session, k int) (PCAProjection, error) {
	var p PCAProjection
	err := rn.Analyse(ctx, addr, session.WorkPCAFit, func(context.Context) error {
		v, err := rn.m.PCAFor(s)
		if err != nil {
			return err
		}
		p, err = projectPCA(s.ID(), v, k)
		return err
	})
	return p, err
}

// projectPCA computes the answer from a fitted PCA view.
func projectPCA(id string, v session.PCAView, k int) (PCAProjection, error) {
	ds := v.Data
	comps := min(v.PCA.NumComponents(), v.FitRows-1)
	if k > ds.Features-1 {
		return PCAProjection{}, &session.Error{Code: session.EInvalid, Field: "k",
			Message: fmt.Sprintf("k = %d: PCA of %s keeps at most %d components (K − 1)", k, ds.Name, ds.Features-1)}
	}
	used := min(k, comps)
	mse := v.PCA.ReconstructionMSE(ds.Test.Rows(nil, 0, v.TestRows), v.TestRows, used)

	n := session.LatentExamples(ds)
	two := min(2, used)
	scores := make([]float32, n*two)
	v.PCA.Project(scores, ds.Test.Rows(nil, 0, n), n, two)
	x, y := make([]float32, n), make([]float32, n)
	for i := range n {
		x[i] = scores[i*two]
		if two == 2 {
			y[i] = scores[i*two+1]
		}
	}
	ratio := v.PCA.ExplainedVarianceRatio()[:used]
	axes := [2]string{fmt.Sprintf("PC1 (%.0f%% of variance)", 100*ratio[0]), ""}
	if two == 2 {
		axes[1] = fmt.Sprintf("PC2 (%.0f%% of variance)", 100*ratio[1])
	}
	names := ds.ClassNames
	if names == nil {
		names = []string{}
	}
	labels := make([]int, n)
	for i := range labels {
		labels[i] = -1
		if i < len(ds.Test.Labels) {
			labels[i] = ds.Test.Labels[i]
		}
	}
	return PCAProjection{Session: id, K: k, Components: used, FitRows: v.FitRows, TestRows: v.TestRows,
		MSE: mse, Explained: ratio, Projection: "pca", Axes: axes, X: x, Y: y,
		Labels: labels, ClassNames: names}, nil
}
