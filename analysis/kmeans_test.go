package analysis

import (
	"errors"
	"math"
	"slices"
	"testing"
)

func TestKMeansRecoversBlobs(t *testing.T) {
	const n, d, classes = 400, 5, 4
	x, labels := blobs(61, n, d, classes, 10, 0.3)
	for seed := uint64(1); seed <= 5; seed++ {
		assign := make([]int, n)
		km, err := FitKMeans(assign, x, n, d, classes, 100, newRNG(seed))
		if err != nil {
			t.Fatal(err)
		}
		if p, ari, nmi := Purity(assign, labels), AdjustedRandIndex(assign, labels), NMI(assign, labels); p != 1 || !near(ari, 1, 1e-12) || !near(nmi, 1, 1e-12) {
			t.Errorf("seed %d: purity %g, ARI %g, NMI %g; want 1 each", seed, p, ari, nmi)
		}
		if km.K() != classes || !km.Converged() || km.Iterations() > 10 {
			t.Errorf("seed %d: converged %v after %d iterations; want convergence within 10", seed, km.Converged(), km.Iterations())
		}
	}
}

func TestKMeansFixedPoint(t *testing.T) {
	// Overlapping blobs, so Lloyd has real work to do.
	const n, d, k = 600, 3, 5
	x, _ := blobs(62, n, d, 3, 2, 1)
	assign := make([]int, n)
	km, err := FitKMeans(assign, x, n, d, k, 300, newRNG(7))
	if err != nil {
		t.Fatal(err)
	}
	if !km.Converged() {
		t.Fatalf("no convergence in %d iterations", km.Iterations())
	}
	// At convergence every centroid is the mean of its rows, every row is
	// at its nearest centroid, and the inertia is the sum of the distances.
	cent := km.Centroids()
	sums := make([]float64, k*d)
	counts := make([]int, k)
	var inertia float64
	for i, g := range assign {
		counts[g]++
		for j := range d {
			sums[g*d+j] += float64(x[i*d+j])
		}
		inertia += float64(sqDist(x[i*d:(i+1)*d], cent[g*d:(g+1)*d]))
		for c := range k {
			if sqDist(x[i*d:(i+1)*d], cent[c*d:(c+1)*d]) < sqDist(x[i*d:(i+1)*d], cent[g*d:(g+1)*d])*(1-1e-5) {
				t.Fatalf("row %d is in group %d but nearer to centroid %d", i, g, c)
			}
		}
	}
	for g := range k {
		for j := range d {
			if mean := sums[g*d+j] / float64(counts[g]); !near(float64(cent[g*d+j]), mean, 1e-5) {
				t.Errorf("centroid %d[%d] = %g; the mean of its rows is %g", g, j, cent[g*d+j], mean)
			}
		}
	}
	if !near(km.Inertia(), inertia, 1e-4*inertia) {
		t.Errorf("Inertia() = %g; recomputed %g", km.Inertia(), inertia)
	}
	again := make([]int, n)
	if sum := km.Assign(again, x, n); !slices.Equal(again, assign) || !near(sum, inertia, 1e-4*inertia) {
		t.Errorf("Assign on the training rows disagrees with FitKMeans (sum %g, inertia %g)", sum, inertia)
	}
	// Lloyd iterations only lower the inertia.
	one := make([]int, n)
	km1, _ := FitKMeans(one, x, n, d, k, 1, newRNG(7))
	if km1.Iterations() != 1 || km1.Inertia() < km.Inertia() {
		t.Errorf("after %d iteration inertia %g; at convergence %g", km1.Iterations(), km1.Inertia(), km.Inertia())
	}
}

func TestKMeansDeterministic(t *testing.T) {
	const n, d, k = 300, 4, 6
	x, _ := blobs(63, n, d, 4, 1, 1)
	fit := func(seed uint64) ([]int, []float32) {
		assign := make([]int, n)
		km, err := FitKMeans(assign, x, n, d, k, 50, newRNG(seed))
		if err != nil {
			t.Fatal(err)
		}
		return assign, km.Centroids()
	}
	a1, c1 := fit(3)
	a2, c2 := fit(3)
	if !slices.Equal(a1, a2) || !slices.Equal(c1, c2) {
		t.Error("same seed, different clustering")
	}
	if _, c3 := fit(4); slices.Equal(c1, c3) {
		t.Error("different seeds gave identical centroids; is the rng used?")
	}
}

func TestKMeansDuplicatesAndEmptyGroups(t *testing.T) {
	// Only two distinct points but three clusters: one centroid must sit on
	// a duplicate, and its group must not be left empty.
	x := []float32{0, 0, 0, 0, 0, 5, 5, 5, 5, 5}
	assign := make([]int, len(x))
	km, err := FitKMeans(assign, x, len(x), 1, 3, 20, newRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	counts := make([]int, 3)
	for _, g := range assign {
		counts[g]++
	}
	if slices.Contains(counts, 0) || km.Inertia() != 0 || !km.Converged() {
		t.Errorf("group sizes %v, inertia %g, converged %v; want no empty group, 0, true", counts, km.Inertia(), km.Converged())
	}
}

func TestKMeansErrors(t *testing.T) {
	x := make([]float32, 4)
	for _, tc := range []struct{ k, maxIter int }{{0, 10}, {5, 10}, {2, 0}} {
		if _, err := FitKMeans(make([]int, 4), x, 4, 1, tc.k, tc.maxIter, newRNG(1)); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("k = %d, maxIter = %d: err = %v; want ErrInvalidInput", tc.k, tc.maxIter, err)
		}
	}
	if _, err := FitKMeans(make([]int, 4), []float32{0, 1, float32(math.NaN()), 2}, 4, 1, 2, 10, newRNG(1)); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("NaN value: err = %v; want ErrInvalidInput", err)
	}
	mustPanic(t, "nil rng", func() { FitKMeans(make([]int, 4), x, 4, 1, 2, 10, nil) })
	mustPanic(t, "d = 0", func() { FitKMeans(make([]int, 4), x, 4, 0, 2, 10, newRNG(1)) })
	mustPanic(t, "len(assign)", func() { FitKMeans(make([]int, 3), x, 4, 1, 2, 10, newRNG(1)) })
}
