package session

import (
	"math"
	"slices"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/analysis"
	"github.com/aelab/aelab/datasets"
)

// Sizes of what an anomaly message carries.
const (
	galleryExamples = 12
	maxROCPoints    = 200
)

// anomalyScorer scores test examples by reconstruction error for a run that
// trains on some classes only (the "normal" ones). It belongs to the
// training goroutine and reuses its buffers.
type anomalyScorer struct {
	ds       *datasets.Dataset
	normal   []int
	test     datasets.Split // the shared test examples
	labels   []int
	n, k     int
	buf      []float32
	scores   []float64
	positive []bool // anomalous: label not among the normal classes
}

func newAnomalyScorer(ds *datasets.Dataset, normal []int, nTest int) *anomalyScorer {
	k := ds.Features
	a := &anomalyScorer{ds: ds, normal: slices.Sorted(slices.Values(normal)), test: ds.Test,
		labels: ds.Test.Labels[:nTest], n: nTest, k: k, buf: make([]float32, chunkRows*k),
		scores: make([]float64, nTest), positive: make([]bool, nTest)}
	for i, l := range a.labels {
		a.positive[i] = !slices.Contains(a.normal, l)
	}
	return a
}

// score reconstructs every test example and summarises how well the
// reconstruction error separates normal examples from anomalies.
func (a *anomalyScorer) score(model *ae.Model, step int, epoch float64) *Anomaly {
	k := a.k
	eachChunk(a.test, a.n, func(x []float32, r, c int) {
		model.Reconstruct(a.buf[:c*k], x, c)
		for i := 0; i < c; i++ {
			a.scores[r+i] = analysis.MSE(a.buf[i*k:(i+1)*k], x[i*k:(i+1)*k])
		}
	})
	msg := &Anomaly{Step: step, Epoch: round4(epoch), NormalClasses: a.normal, Labels: a.labels,
		Scores: make([]float64, a.n)}
	for i, s := range a.scores {
		msg.Scores[i] = sig4(s)
	}
	pts, auc := analysis.ROC(a.scores, a.positive)
	msg.AUC = round4(auc)
	top := slices.Max(a.scores)
	point := func(p analysis.ROCPoint) ROCPoint {
		th := p.Threshold
		if math.IsInf(th, 0) || math.IsNaN(th) { // "flag nothing": above every score
			th = top
		}
		return ROCPoint{FPR: round4(p.FPR), TPR: round4(p.TPR), Threshold: sig4(th)}
	}
	step2 := max(1, (len(pts)+maxROCPoints-1)/maxROCPoints)
	for i := 0; i < len(pts); i += step2 {
		msg.ROC = append(msg.ROC, point(pts[i]))
	}
	if n := len(pts); n > 0 && (n-1)%step2 != 0 { // always end at (1, 1)
		msg.ROC = append(msg.ROC, point(pts[n-1]))
	}
	msg.Gallery = a.gallery(model)
	return msg
}

// gallery returns the highest-scoring test examples with their
// reconstructions.
func (a *anomalyScorer) gallery(model *ae.Model) Gallery {
	idx := make([]int, a.n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(i, j int) int {
		switch {
		case a.scores[i] > a.scores[j]:
			return -1
		case a.scores[i] < a.scores[j]:
			return 1
		}
		return 0
	})
	idx = idx[:min(galleryExamples, len(idx))]
	k := a.k
	orig := make([]float32, len(idx)*k)
	for i, j := range idx {
		a.test.ReadRow(orig[i*k:(i+1)*k], j)
	}
	rec := make([]float32, len(orig))
	model.Reconstruct(rec, orig, len(idx))
	lo, hi := a.ds.ValueRange[0], a.ds.ValueRange[1]
	g := Gallery{Kind: "vector", Width: k, Height: 1, Count: len(idx), Indices: idx, Lo: lo, Hi: hi,
		Originals: quantise(orig, lo, hi), Reconstructions: quantise(rec, lo, hi)}
	if a.ds.Shape.IsImage() {
		g.Kind, g.Width, g.Height = "image", a.ds.Shape.Width, a.ds.Shape.Height
	}
	for _, j := range idx {
		g.Labels = append(g.Labels, a.labels[j])
		g.Scores = append(g.Scores, sig4(a.scores[j]))
	}
	return g
}
