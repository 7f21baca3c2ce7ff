package session

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/aelab/aelab/datasets"
)

// pcaReference computes, with gonum's mat.SVD directly (not through ae.PCA),
// the test-set MSE of reconstructing from the first k principal directions
// of the n training rows: centre by the training mean, project on V_k, map
// back, average the squared error over every test element.
func pcaReference(t *testing.T, ds *datasets.Dataset, n, nTest, k int) float64 {
	t.Helper()
	d := ds.Features
	mean := make([]float64, d)
	train := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for j, v := range ds.Train.Row(i) {
			train.Set(i, j, float64(v))
			mean[j] += float64(v) / float64(n)
		}
	}
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			train.Set(i, j, train.At(i, j)-mean[j])
		}
	}
	var svd mat.SVD
	if !svd.Factorize(train, mat.SVDThinV) {
		t.Fatal("SVD failed")
	}
	var v mat.Dense
	svd.VTo(&v)
	vk := v.Slice(0, d, 0, k)
	test := mat.NewDense(nTest, d, nil)
	for i := 0; i < nTest; i++ {
		for j, x := range ds.Test.Row(i) {
			test.Set(i, j, float64(x)-mean[j])
		}
	}
	var scores, recon mat.Dense
	scores.Mul(test, vk)
	recon.Mul(&scores, vk.T())
	var se float64
	for i := 0; i < nTest; i++ {
		for j := 0; j < d; j++ {
			e := test.At(i, j) - recon.At(i, j)
			se += e * e
		}
	}
	return se / float64(nTest*d)
}

// TestBaselineMatchesGonum checks the PCA-at-k figures of a comparison
// against a reference computed with gonum directly.
func TestBaselineMatchesGonum(t *testing.T) {
	m := newTestManager(t, Options{})
	st := newTestStore(t, m)
	c, _, err := st.CreateSweep("", tiny(), []int{2, 8, 32})
	if err != nil {
		t.Fatal(err)
	}
	in := waitBaselines(t, c)
	ds, err := testRegistry.Load("mnist", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, mb := range in.Members {
		k := mb.Session.Config.Bottleneck
		want := pcaReference(t, ds, 300, 200, k)
		b := mb.PCA
		if b.State != BaselineReady || b.MSE == nil {
			t.Fatalf("k=%d: baseline %+v", k, b)
		}
		if b.K != k || b.Components != k || b.FitRows != 300 || b.TestRows != 200 {
			t.Errorf("k=%d: baseline %+v, want k and components %d, 300 fit rows, 200 test rows", k, b, k)
		}
		if math.Abs(*b.MSE-want) > 1e-9*want {
			t.Errorf("k=%d: PCA test MSE %.12g, gonum reference %.12g", k, *b.MSE, want)
		}
	}
	for _, s := range c.Sessions() {
		waitDone(t, s)
	}
}

// TestBaselineComponentsBeyondRank: with fewer training rows than the
// bottleneck is wide, every component is used and the figure says so.
func TestBaselineComponentsBeyondRank(t *testing.T) {
	m := newTestManager(t, Options{})
	b := newBaselines(m)
	cfg := tiny()
	cfg.TrainSize, cfg.TestSize, cfg.Bottleneck = 20, 50, 64
	got := b.compute(context.Background(), cfg)
	// 20 centred rows span 19 directions.
	if got.State != BaselineReady || got.K != 64 || got.Components != 19 || got.FitRows != 20 {
		t.Fatalf("baseline = %+v, want k 64 using all 19 components of 20 rows", got)
	}
	ds, _ := testRegistry.Load("mnist", 0)
	if want := pcaReference(t, ds, 20, 50, 19); math.Abs(*got.MSE-want) > 1e-9*want {
		t.Errorf("MSE %.12g, reference %.12g", *got.MSE, want)
	}
	// An unknown dataset fails with a reason instead of hanging.
	cfg.Dataset = "nope"
	if got := b.compute(context.Background(), cfg); got.State != BaselineFailed || got.Error == "" {
		t.Errorf("unknown dataset baseline = %+v", got)
	}
}

func TestBaselineRowsBounded(t *testing.T) {
	for _, tc := range []struct{ n, d, want int }{
		{600, 784, 600},
		{60000, 784, 10000},
		{60000, 2, 10000},
	} {
		if got := baselineRows(tc.n, tc.d); got != tc.want {
			t.Errorf("baselineRows(%d, %d) = %d, want %d", tc.n, tc.d, got, tc.want)
		}
	}
	n := baselineRows(100000, 4096)
	if n < 100 || n*4096 > baselineMaxValues || n*4096*min(n, 4096) > baselineMaxWork {
		t.Errorf("baselineRows(100000, 4096) = %d: out of the time and memory bounds", n)
	}
}

// TestBaselineCacheForgetsLeastRecentlyUsed fills the fit cache past its
// byte budget and checks that the least recently used fits go first, with
// their errors, and that the newest one is kept even alone over budget.
func TestBaselineCacheForgetsLeastRecentlyUsed(t *testing.T) {
	b := newBaselines(newTestManager(t, Options{}))
	add := func(name string, bytes int) baselineFit {
		key := baselineFit{dataset: name}
		b.mu.Lock()
		defer b.mu.Unlock()
		b.fits.Add(key, &fitted{bytes: bytes})
		b.bytes += bytes
		b.errs[baselineErrKey{fit: key, k: 2}] = 0.5
		b.evictLocked()
		return key
	}
	third := baselineCacheBytes / 3
	a, c := add("a", third), add("b", third)
	b.mu.Lock()
	b.fits.Get(a) // a is now more recent than b
	b.mu.Unlock()
	d := add("c", third)
	add("d", third) // over budget: b, the least recently used, goes
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fits.Contains(c) || !b.fits.Contains(a) || !b.fits.Contains(d) {
		t.Errorf("kept %v; want the least recently used fit forgotten", b.fits.Keys())
	}
	if _, ok := b.errs[baselineErrKey{fit: c, k: 2}]; ok || len(b.errs) != 3 || b.bytes != 3*third {
		t.Errorf("errors %v and %d bytes after eviction", b.errs, b.bytes)
	}
	b.mu.Unlock()
	big := add("big", 2*baselineCacheBytes)
	b.mu.Lock()
	if b.fits.Len() != 1 || !b.fits.Contains(big) {
		t.Errorf("a fit over the whole budget alone: kept %v", b.fits.Keys())
	}
}
