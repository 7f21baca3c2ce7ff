package session

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/aelab/aelab/analysis"
)

// Bounds of a feature-extraction request (docs/api.md): they keep one
// request to a few seconds of one core.
const (
	MaxLabelsPerClass   = 100  // labelled training examples per class
	MaxNeighbours       = 50   // k of k-NN
	featureTestExamples = 5000 // test examples scored (the first ones)
	featurePCAExamples  = 500  // training examples the PCA baseline is fitted on
	logRegPenalty       = 1e-3 // L2 penalty λ of logistic regression
	logRegIterations    = 200
	kmeansIterations    = 100
)

// FeaturesRequest is the body of POST /api/sessions/{id}/features: which
// simple classifier to train on how many labels. Zero values mean the
// defaults (10 labels per class, k-NN with k = 5).
type FeaturesRequest struct {
	LabelsPerClass int    `json:"labels_per_class"`
	Classifier     string `json:"classifier"` // "knn" or "logreg"
	K              int    `json:"k"`          // neighbours, for "knn"
}

// FeatureScores holds one number per feature space.
type FeatureScores struct {
	Latent float64 `json:"latent"` // the encoder's codes
	PCA    float64 `json:"pca"`    // the first M principal components
	Raw    float64 `json:"raw"`    // the K input values themselves
}

// FeaturesResult is the answer of POST /api/sessions/{id}/features.
type FeaturesResult struct {
	Session        string        `json:"session"`
	State          State         `json:"state"`
	Step           int           `json:"step"` // training steps of the weights used
	Bottleneck     int           `json:"bottleneck"`
	Classifier     string        `json:"classifier"`
	K              int           `json:"k,omitempty"`
	LabelsPerClass int           `json:"labels_per_class"`
	Classes        int           `json:"classes"`
	TrainExamples  int           `json:"train_examples"` // labelled examples the classifiers learned from
	TestExamples   int           `json:"test_examples"`
	PCAComponents  int           `json:"pca_components"`
	PCAExamples    int           `json:"pca_examples"` // training examples PCA was fitted on
	Accuracy       FeatureScores `json:"accuracy"`     // test accuracy of the classifier on each feature space
	Chance         float64       `json:"chance"`       // accuracy of always answering the most common test class
	KMeans         KMeansScores  `json:"kmeans"`
	Seconds        float64       `json:"seconds"`
}

// KMeansScores describes k-means clusterings of the test examples' features
// into as many clusters as there are classes, without labels.
type KMeansScores struct {
	Clusters int `json:"clusters"`
	// Purity is the fraction of examples whose class is the most common
	// class of their cluster, for the latent codes and the PCA features.
	Purity struct {
		Latent float64 `json:"latent"`
		PCA    float64 `json:"pca"`
	} `json:"purity"`
}

// Validate fills in the defaults and validates r.
func (r *FeaturesRequest) Validate() error {
	if r.LabelsPerClass == 0 {
		r.LabelsPerClass = 10
	}
	if r.Classifier == "" {
		r.Classifier = "knn"
	}
	if r.K == 0 && r.Classifier == "knn" {
		r.K = 5
	}
	switch {
	case r.LabelsPerClass < 1 || r.LabelsPerClass > MaxLabelsPerClass:
		return fieldErrorf("labels_per_class", "labels_per_class must be between 1 and %d", MaxLabelsPerClass)
	case r.Classifier != "knn" && r.Classifier != "logreg":
		return fieldErrorf("classifier", `classifier must be "knn" (k nearest neighbours) or "logreg" (logistic regression), not %q`, r.Classifier)
	case r.Classifier == "knn" && (r.K < 1 || r.K > min(MaxNeighbours, 2*r.LabelsPerClass)):
		return fieldErrorf("k", "k (neighbours) must be between 1 and %d: at most %d, and at most twice labels_per_class",
			min(MaxNeighbours, 2*r.LabelsPerClass), MaxNeighbours)
	case r.Classifier == "logreg" && r.K != 0:
		return fieldErrorf("k", "k is for k-NN only: leave it out with logistic regression")
	}
	return nil
}

// Features measures the session's encoder as a feature extractor: a simple
// classifier (k-NN or logistic regression) learns from a few labelled
// training examples (LabelsPerClass of each class, the same for every
// session on the same data) in three feature spaces, the latent codes, the
// first M principal components and the raw inputs, and is scored on up to
// 5,000 test examples; k-means then clusters the test codes without labels.
// It runs on the latest snapshot, so it works while the session trains.
// It takes a few seconds of one core; the caller bounds how many run at once.
func (s *Session) Features(ctx context.Context, req FeaturesRequest) (*FeaturesResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	snap, ds, err := s.labelledModel(ctx, "feature extraction")
	if err != nil {
		return nil, err
	}
	start := time.Now()
	classes, k, m := len(ds.ClassNames), ds.Features, snap.LatentDim()
	idx := balancedSubset(ds.Train.Labels, s.trainingPool(ds), classes, req.LabelsPerClass*classes, labelledSeed)
	if len(idx) < 2 || (req.Classifier == "knn" && req.K > len(idx)) {
		return nil, Errorf(EConflict, "session %s trains on too few labelled examples (%d) for this request", s.id, len(idx))
	}
	trX, trY := gatherRows(ds.Train, k, idx)
	teX, teY := labelledTest(ds, featureTestExamples)
	nTr, nTe := len(trY), len(teY)
	if nTe == 0 {
		return nil, Errorf(EConflict, "the test split of %s has no labelled example to score", ds.Title)
	}
	res := &FeaturesResult{Session: s.id, State: s.State(), Step: snap.Steps(), Bottleneck: m,
		Classifier: req.Classifier, K: req.K, LabelsPerClass: req.LabelsPerClass, Classes: classes,
		TrainExamples: nTr, TestExamples: nTe, Chance: majorityShare(teY, classes)}

	// The three feature spaces of the same examples.
	trZ, teZ := make([]float32, nTr*m), make([]float32, nTe*m)
	snap.Encode(trZ, trX, nTr)
	snap.Encode(teZ, teX, nTe)
	nPCA := min(s.trainingPool(ds), featurePCAExamples)
	pc := min(m, nPCA, k)
	pca, err := cachedPCA(ds, nPCA)
	if err != nil {
		return nil, &Error{Code: EInternal, Message: "the PCA baseline failed", Err: err}
	}
	trP, teP := make([]float32, nTr*pc), make([]float32, nTe*pc)
	pca.Project(trP, trX, nTr, pc)
	pca.Project(teP, teX, nTe, pc)
	res.PCAComponents, res.PCAExamples = pc, nPCA
	if err := ctx.Err(); err != nil {
		return nil, Errorf(EUnavailable, "the request was cancelled")
	}

	for _, f := range []struct {
		dst      *float64
		tr, te   []float32
		features int
	}{{&res.Accuracy.Latent, trZ, teZ, m}, {&res.Accuracy.PCA, trP, teP, pc}, {&res.Accuracy.Raw, trX, teX, k}} {
		acc, err := classify(req, f.tr, trY, f.te, teY, f.features)
		if err != nil {
			return nil, err
		}
		*f.dst = round4(acc)
		if err := ctx.Err(); err != nil {
			return nil, Errorf(EUnavailable, "the request was cancelled")
		}
	}

	res.KMeans.Clusters = min(classes, nTe)
	res.KMeans.Purity.Latent = round4(clusterPurity(teZ, teY, nTe, m, res.KMeans.Clusters))
	res.KMeans.Purity.PCA = round4(clusterPurity(teP, teY, nTe, pc, res.KMeans.Clusters))
	res.Seconds = round4(time.Since(start).Seconds())
	return res, nil
}

// classify trains the requested classifier on (trX, trY) and returns its
// accuracy on (teX, teY); both have d features.
func classify(req FeaturesRequest, trX []float32, trY []int, teX []float32, teY []int, d int) (float64, error) {
	nTr, nTe := len(trY), len(teY)
	pred := make([]int, nTe)
	switch req.Classifier {
	case "logreg":
		lr, err := analysis.FitLogReg(trX, trY, nTr, d, logRegPenalty, logRegIterations)
		if err != nil {
			return 0, &Error{Code: EInvalid, Message: err.Error()}
		}
		lr.Predict(pred, teX, nTe)
	default:
		knn, err := analysis.NewKNN(trX, trY, nTr, d, req.K)
		if err != nil {
			return 0, &Error{Code: EInvalid, Field: "k", Message: err.Error()}
		}
		knn.Predict(pred, teX, nTe)
	}
	return analysis.Accuracy(pred, teY), nil
}

// clusterPurity runs k-means (fixed seed) on the n rows of x (n×d) and
// returns the purity of the clusters against the labels.
func clusterPurity(x []float32, labels []int, n, d, k int) float64 {
	assign := make([]int, n)
	rng := rand.New(rand.NewPCG(labelledSeed, 7))
	if _, err := analysis.FitKMeans(assign, x, n, d, k, kmeansIterations, rng); err != nil {
		return 0 // k ≤ n is checked by the caller; nothing else can fail
	}
	return analysis.Purity(assign, labels)
}

// majorityShare returns the fraction of labels equal to the most common
// class: the accuracy of a classifier that ignores its input.
func majorityShare(labels []int, classes int) float64 {
	counts := make([]int, classes)
	for _, l := range labels {
		counts[l]++
	}
	best := 0
	for _, c := range counts {
		best = max(best, c)
	}
	return round4(float64(best) / float64(max(1, len(labels))))
}
