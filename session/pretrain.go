package session

import (
	"context"
	"time"

	"github.com/aelab/aelab/ae"
)

// Bounds of a pretraining comparison (docs/api.md).
const (
	MinPretrainLabels   = 10
	MaxPretrainLabels   = 5000
	MaxPretrainEpochs   = 200
	MaxPretrainTest     = 5000
	defaultPretrainTest = 2000
	// MaxPretrainWork bounds epochs × (3·labels + test examples) ×
	// parameters: about the multiply-adds of training (a forward and a
	// backward pass per example, ~3 forward passes) and of scoring the test
	// examples after every epoch, for both networks. 5·10¹⁰ is a few
	// seconds of one core.
	MaxPretrainWork  = 5e10
	pretrainBatch    = 32
	pretrainRate     = 1e-3
	pretrainInitSeed = 7 // the head's (and the random network's) initial weights
)

// PretrainRequest is the body of POST /api/sessions/{id}/pretrain. Zero
// values mean the defaults: 100 labels, 50 epochs, 2,000 test examples, a
// zero output layer.
type PretrainRequest struct {
	Labels   int `json:"labels"`    // labelled training examples, spread evenly over the classes
	Epochs   int `json:"epochs"`    // passes over them
	TestSize int `json:"test_size"` // test examples scored after every epoch
	// Head is how the new output layer of both networks starts: "zero"
	// (the default; see ae.ClassifierConfig.ZeroOutput) or "random".
	Head string `json:"head"`
}

// PretrainCurve is how one classifier learned.
type PretrainCurve struct {
	Accuracy  []float64 `json:"accuracy"`   // test accuracy after each epoch (epochs values)
	TrainLoss []float64 `json:"train_loss"` // mean cross-entropy of each epoch's batches
	Final     float64   `json:"final"`      // the last accuracy
}

// PretrainResult is the answer of POST /api/sessions/{id}/pretrain.
type PretrainResult struct {
	Session      string        `json:"session"`
	State        State         `json:"state"`
	Step         int           `json:"step"` // training steps of the encoder used
	Labels       int           `json:"labels"`
	Epochs       int           `json:"epochs"`
	TestExamples int           `json:"test_examples"`
	Classes      int           `json:"classes"`
	Sizes        []int         `json:"sizes"`      // the classifier's layer widths: the encoder's, then the classes
	Head         string        `json:"head"`       // how the output layer started: "zero" or "random"
	Pretrained   PretrainCurve `json:"pretrained"` // first layers copied from the encoder
	Random       PretrainCurve `json:"random"`     // the same network from random weights
	Chance       float64       `json:"chance"`     // accuracy of always answering the most common test class
	BatchSize    int           `json:"batch_size"` // Adam, learning rate 0.001
	LearningRate float64       `json:"learning_rate"`
	Seconds      float64       `json:"seconds"`
}

// Validate fills in the defaults and validates r; the cost of the
// comparison, which depends on the network, is checked by Pretrain.
func (r *PretrainRequest) Validate() error {
	if r.Labels == 0 {
		r.Labels = 100
	}
	if r.Epochs == 0 {
		r.Epochs = 50
	}
	if r.TestSize == 0 {
		r.TestSize = defaultPretrainTest
	}
	if r.Head == "" {
		r.Head = "zero"
	}
	switch {
	case r.Labels < MinPretrainLabels || r.Labels > MaxPretrainLabels:
		return fieldErrorf("labels", "labels must be between %d and %d", MinPretrainLabels, MaxPretrainLabels)
	case r.Epochs < 1 || r.Epochs > MaxPretrainEpochs:
		return fieldErrorf("epochs", "epochs must be between 1 and %d", MaxPretrainEpochs)
	case r.TestSize < 100 || r.TestSize > MaxPretrainTest:
		return fieldErrorf("test_size", "test_size must be between 100 and %d", MaxPretrainTest)
	case r.Head != "zero" && r.Head != "random":
		return fieldErrorf("head", `head must be "zero" (the new output layer starts at zero) or "random", not %q`, r.Head)
	}
	return nil
}

// Pretrain compares two classifiers trained on the same few labelled
// examples (Labels of them, spread evenly over the classes, the same for
// every session on the same data): one whose first layers start as a copy
// of the session's encoder, one with the same architecture started from
// random weights. Both have the encoder's layers followed by a softmax
// layer over the classes (starting at zero, or random, as asked), train
// every layer with Adam on the same batches, and are scored on the test
// examples after every epoch. It runs on the
// latest snapshot, so it works while the session trains; it takes a few
// seconds of one core and the caller bounds how many run at once.
func (s *Session) Pretrain(ctx context.Context, req PretrainRequest) (*PretrainResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	snap, ds, err := s.labelledModel(ctx, "the pretraining comparison")
	if err != nil {
		return nil, err
	}
	if len(snap.Config().Conv) > 0 {
		return nil, Errorf(EConflict, "session %s has a convolutional encoder: the pretraining comparison starts a dense classifier from a dense encoder", s.id)
	}
	start := time.Now()
	classes, k := len(ds.ClassNames), ds.Features
	cfg := ae.ClassifierConfigFor(snap, classes)
	cfg.Optimizer = ae.Optimizer{Kind: ae.Adam, LearningRate: pretrainRate}
	cfg.BatchSize, cfg.Seed, cfg.Workers = min(pretrainBatch, req.Labels), pretrainInitSeed, 1
	cfg.ZeroOutput = req.Head == "zero"
	work := float64(req.Epochs) * float64(3*req.Labels+req.TestSize) * float64(cfg.NumParams())
	if work > MaxPretrainWork {
		return nil, fieldErrorf("epochs", "%d epochs on %d labels and %d test examples with this %d-parameter network is more than this server computes for one request: use fewer epochs, labels or test examples",
			req.Epochs, req.Labels, req.TestSize, cfg.NumParams())
	}
	idx := balancedSubset(ds.Train.Labels, s.trainingPool(ds), classes, req.Labels, labelledSeed)
	if len(idx) < req.Labels {
		return nil, fieldErrorf("labels", "session %s trains on only %d labelled examples that fit an even spread over the %d classes: ask for at most that many labels",
			s.id, len(idx), classes)
	}
	trX, trY := gatherRows(ds.Train, k, idx)
	teX, teY := labelledTest(ds, req.TestSize)
	if len(teY) == 0 {
		return nil, Errorf(EConflict, "the test split of %s has no labelled example to score", ds.Title)
	}
	pre, err := ae.NewClassifierFromEncoder(cfg, snap)
	if err != nil {
		return nil, &Error{Code: EInternal, Message: "could not build the pretrained classifier", Err: err}
	}
	rnd, err := ae.NewClassifier(cfg)
	if err != nil {
		return nil, &Error{Code: EInternal, Message: "could not build the random classifier", Err: err}
	}
	res := &PretrainResult{Session: s.id, State: s.State(), Step: snap.Steps(), Labels: len(trY), Epochs: req.Epochs,
		TestExamples: len(teY), Classes: classes, Sizes: cfg.Sizes, Head: req.Head, Chance: majorityShare(teY, classes),
		BatchSize: cfg.BatchSize, LearningRate: pretrainRate}
	for _, r := range []struct {
		cl    *ae.Classifier
		curve *PretrainCurve
	}{{pre, &res.Pretrained}, {rnd, &res.Random}} {
		// The same batches, in the same order, for both networks.
		b := ae.NewBatcher(trX, len(trY), k, cfg.BatchSize, labelledSeed)
		labels := make([]int, cfg.BatchSize)
		for epoch := range req.Epochs {
			var sum float64
			steps := 0
			for b.Epoch() == epoch {
				x, n := b.Next()
				for i, row := range b.Rows() {
					labels[i] = trY[row]
				}
				sum += r.cl.TrainStep(x, labels[:n], n)
				steps++
			}
			r.curve.TrainLoss = append(r.curve.TrainLoss, sig4(sum/float64(steps)))
			r.curve.Accuracy = append(r.curve.Accuracy, round4(r.cl.Accuracy(teX, teY, len(teY))))
			if err := ctx.Err(); err != nil {
				return nil, Errorf(EUnavailable, "the request was cancelled")
			}
		}
		r.curve.Final = r.curve.Accuracy[len(r.curve.Accuracy)-1]
	}
	res.Seconds = round4(time.Since(start).Seconds())
	return res, nil
}
