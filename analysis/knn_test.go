package analysis

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestKNNSeparable(t *testing.T) {
	const d, classes = 8, 4
	xtr, ytr := blobs(1, 40, d, classes, 10, 0.5)
	xte, yte := blobs(2, 600, d, classes, 10, 0.5)
	for _, k := range []int{1, 3, 10} {
		c, err := NewKNN(xtr, ytr, 40, d, k)
		if err != nil {
			t.Fatal(err)
		}
		pred := make([]int, 600)
		c.Predict(pred, xte, 600)
		if acc := Accuracy(pred, yte); acc != 1 {
			t.Errorf("k = %d: accuracy %g on separable blobs; want 1", k, acc)
		}
	}
}

// naiveKNN predicts like KNN.Predict, but with float64 distances computed
// one difference at a time and a full stable sort.
func naiveKNN(xtr []float32, ytr []int, xte []float32, ntr, nte, d, k int) []int {
	pred := make([]int, nte)
	dist := make([]float64, ntr)
	for q := range nte {
		for i := range ntr {
			var s float64
			for j := range d {
				e := float64(xte[q*d+j]) - float64(xtr[i*d+j])
				s += e * e
			}
			dist[i] = s
		}
		idx := make([]int, ntr)
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			switch {
			case dist[a] < dist[b]:
				return -1
			case dist[a] > dist[b]:
				return 1
			}
			return 0
		})
		votes := map[int]int{}
		best := 0
		for _, i := range idx[:k] {
			votes[ytr[i]]++
			best = max(best, votes[ytr[i]])
		}
		for _, i := range idx[:k] {
			if votes[ytr[i]] == best {
				pred[q] = ytr[i]
				break
			}
		}
	}
	return pred
}

func TestKNNMatchesNaive(t *testing.T) {
	// 700 queries: three blocks of distBlock rows, the last one partial.
	const ntr, nte, d, k = 300, 700, 13, 7
	rng := newRNG(3)
	xtr := make([]float32, ntr*d)
	xte := make([]float32, nte*d)
	for i := range xtr {
		xtr[i] = float32(rng.NormFloat64())
	}
	for i := range xte {
		xte[i] = float32(rng.NormFloat64())
	}
	ytr := make([]int, ntr)
	for i := range ytr {
		ytr[i] = rng.IntN(5)
	}
	c, err := NewKNN(xtr, ytr, ntr, d, k)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]int, nte)
	c.Predict(got, xte, nte)
	want := naiveKNN(xtr, ytr, xte, ntr, nte, d, k)
	for q := range got {
		if got[q] != want[q] {
			t.Errorf("query %d: predicted %d; brute force says %d", q, got[q], want[q])
		}
	}
	// Predicting the training set with k = 1 returns its labels.
	self := make([]int, ntr)
	c1, _ := NewKNN(xtr, ytr, ntr, d, 1)
	c1.Predict(self, xtr, ntr)
	if !slices.Equal(self, ytr) {
		t.Error("1-NN of the training points is not their own label")
	}
}

func TestKNNTies(t *testing.T) {
	// 1-D: class 0 at 0, class 1 at 1 and 3. With k = 2 a query at 0.4 sees
	// one vote each and takes the nearer class 0; a query at 0.6, class 1.
	c, err := NewKNN([]float32{0, 1, 3}, []int{0, 1, 1}, 3, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	pred := make([]int, 2)
	c.Predict(pred, []float32{0.4, 0.6}, 2)
	if pred[0] != 0 || pred[1] != 1 {
		t.Errorf("vote ties: predicted %v; want [0 1]", pred)
	}
	// Equal distances go to the earlier training example.
	c, _ = NewKNN([]float32{1, -1}, []int{3, 2}, 2, 1, 1)
	c.Predict(pred[:1], []float32{0}, 1)
	if pred[0] != 3 {
		t.Errorf("distance tie: predicted %d; want 3, the first example's class", pred[0])
	}
	// Both vote (k = 2), one each: the tie goes to the first as the nearer.
	c, _ = NewKNN([]float32{1, -1}, []int{3, 2}, 2, 1, 2)
	c.Predict(pred[:1], []float32{0}, 1)
	if pred[0] != 3 || c.K() != 2 {
		t.Errorf("distance and vote tie: predicted %d; want 3, the first example's class", pred[0])
	}
}

func TestKNNCopiesAndErrors(t *testing.T) {
	x, y := []float32{0, 10}, []int{0, 1}
	c, err := NewKNN(x, y, 2, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	x[0], y[0] = 10, 1 // must not affect the classifier
	pred := make([]int, 1)
	c.Predict(pred, []float32{1}, 1)
	if pred[0] != 0 || c.K() != 1 {
		t.Errorf("predicted %d with K %d; want 0 and 1", pred[0], c.K())
	}
	for _, tc := range []struct {
		labels []int
		n, k   int
	}{
		{[]int{0, 1}, 2, 0},
		{[]int{0, 1}, 2, 3},
		{[]int{0, -1}, 2, 1},
		{[]int{}, 0, 1},
	} {
		if _, err := NewKNN(make([]float32, tc.n), tc.labels, tc.n, 1, tc.k); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("labels %v, k = %d: err = %v; want ErrInvalidInput", tc.labels, tc.k, err)
		}
	}
	nan := []float32{0, float32(math.NaN())}
	if _, err := NewKNN(nan, []int{0, 1}, 2, 1, 1); !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), "example 1, feature 0 is not a finite number") {
		t.Errorf("NaN feature: err = %v; want ErrInvalidInput naming example 1", err)
	}
	mustPanic(t, "len(x)", func() { NewKNN(make([]float32, 5), []int{0, 1}, 2, 2, 1) })
	mustPanic(t, "len(dst)", func() { c.Predict(make([]int, 2), []float32{1}, 1) })
}

func TestAccuracyAndConfusionMatrix(t *testing.T) {
	pred := []int{0, 1, 2, 2, 1, 0}
	truth := []int{0, 1, 1, 2, -1, 2}
	if got := Accuracy(pred, truth); !near(got, 3.0/5, 1e-12) {
		t.Errorf("accuracy %g; want 3/5 (the unlabelled example is skipped)", got)
	}
	want := []int{
		1, 0, 0,
		0, 1, 1,
		1, 0, 1,
	}
	if got := ConfusionMatrix(pred, truth, 3); !slices.Equal(got, want) {
		t.Errorf("confusion matrix %v; want %v", got, want)
	}
	mustPanic(t, "predicted as 5", func() { ConfusionMatrix([]int{5}, []int{0}, 3) })
}

// BenchmarkKNNPredict measures the feature-extraction lab's largest case:
// 1,000 labelled training codes, 10,000 test codes, 64 dimensions, k = 5.
func BenchmarkKNNPredict(b *testing.B) {
	const ntrain, ntest, d = 1000, 10000, 64
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, ntrain*d)
	q := make([]float32, ntest*d)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	for i := range q {
		q[i] = float32(rng.NormFloat64())
	}
	labels := make([]int, ntrain)
	for i := range labels {
		labels[i] = i % 10
	}
	c, err := NewKNN(x, labels, ntrain, d, 5)
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]int, ntest)
	for b.Loop() {
		c.Predict(dst, q, ntest)
	}
}
