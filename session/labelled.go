package session

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/datasets"
)

// labelledSeed fixes which training examples the few-labels experiments
// (feature extraction, pretraining) learn from: every session on the same
// data gets the same labelled subset, so a sweep compares like with like.
const labelledSeed = 20240917

// balancedSubset returns the indices of total labelled examples among the
// first n of labels, as evenly spread over the classes as possible (class c
// gets total/classes examples, one more for the first total%classes
// classes), drawn in a random order fixed by seed. A class with too few
// examples gives what it has. The indices come back in drawing order.
func balancedSubset(labels []int, n, classes, total int, seed uint64) []int {
	n = min(n, len(labels))
	quota := make([]int, classes)
	for c := range quota {
		quota[c] = total / classes
		if c < total%classes {
			quota[c]++
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x2545f4914f6cdd1d))
	out := make([]int, 0, total)
	for _, i := range rng.Perm(n) {
		if c := labels[i]; c >= 0 && c < classes && quota[c] > 0 {
			quota[c]--
			out = append(out, i)
			if len(out) == total {
				break
			}
		}
	}
	return out
}

// gatherRows copies the rows idx of the split (k features each) and their
// labels.
func gatherRows(s datasets.Split, k int, idx []int) ([]float32, []int) {
	x, y := make([]float32, len(idx)*k), make([]int, len(idx))
	for j, i := range idx {
		s.ReadRow(x[j*k:(j+1)*k], i)
		y[j] = s.Labels[i]
	}
	return x, y
}

// labelledTest returns the labelled examples among the first n of the test
// split (unlabelled ones, −1, cannot be scored), copied.
func labelledTest(ds *datasets.Dataset, n int) ([]float32, []int) {
	idx := make([]int, 0, n)
	for i, l := range ds.Test.Labels[:min(n, ds.Test.N)] {
		if l >= 0 {
			idx = append(idx, i)
		}
	}
	return gatherRows(ds.Test, ds.Features, idx)
}

// analysisWait is how long an analysis waits for the first weights of a
// session that has not taken a step yet.
const analysisWait = 10 * time.Second

// labelledModel returns the session's latest weights and its dataset for an
// analysis that needs class labels, or an error that says why it cannot run.
func (s *Session) labelledModel(ctx context.Context, what string) (*ae.Snapshot, *datasets.Dataset, error) {
	ctx, cancel := context.WithTimeout(ctx, analysisWait)
	defer cancel()
	snap, err := s.Snapshot(ctx)
	if err != nil {
		return nil, nil, err
	}
	ds := s.Dataset()
	if ds == nil {
		return nil, nil, Errorf(EUnavailable, "the data of session %s is not loaded yet; try again in a moment", s.id)
	}
	if len(ds.ClassNames) < 2 {
		return nil, nil, Errorf(EConflict, "session %s trains on %s, which has no class labels: %s needs labelled examples (choose a dataset with classes, such as MNIST)", s.id, ds.Title, what)
	}
	return snap, ds, nil
}

// trainingPool returns how many examples at the start of the training split
// the session trains on: the pool its labelled examples are drawn from.
func (s *Session) trainingPool(ds *datasets.Dataset) int {
	if n := s.cfg.TrainSize; n > 0 {
		return min(n, ds.Train.N)
	}
	return ds.Train.N
}

// fieldErrorf returns an EInvalid error about one field of a request.
func fieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}
