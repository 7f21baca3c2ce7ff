package session

import (
	"context"
	"testing"
)

func TestBalancedSubsetSpreadsOverClasses(t *testing.T) {
	labels := make([]int, 1000)
	for i := range labels {
		labels[i] = i % 7 % 4 // classes 0–3, unevenly common
	}
	labels[5] = -1
	idx := balancedSubset(labels, 900, 4, 22, 1)
	if len(idx) != 22 {
		t.Fatalf("%d examples; want 22", len(idx))
	}
	counts := make([]int, 4)
	seen := map[int]bool{}
	for _, i := range idx {
		if i >= 900 || seen[i] || labels[i] < 0 {
			t.Fatalf("index %d: outside the pool, repeated or unlabelled", i)
		}
		seen[i] = true
		counts[labels[i]]++
	}
	if want := []int{6, 6, 5, 5}; counts[0] != want[0] || counts[1] != want[1] || counts[2] != want[2] || counts[3] != want[3] {
		t.Fatalf("per-class counts %v; want %v", counts, want)
	}
	again := balancedSubset(labels, 900, 4, 22, 1)
	for i := range idx {
		if idx[i] != again[i] {
			t.Fatal("the same seed drew a different subset")
		}
	}
	// A class with too few examples gives what it has.
	if got := balancedSubset([]int{0, 0, 0, 1}, 4, 2, 4, 1); len(got) != 3 {
		t.Fatalf("got %d examples from 3 usable ones", len(got))
	}
}

// TestFeaturesAndPretrainOnMNIST trains a small autoencoder briefly and
// runs both few-label analyses on it.
func TestFeaturesAndPretrainOnMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	m := newTestManager(t, Options{})
	c := small()
	c.Encoder, c.Bottleneck, c.TrainSize, c.TestSize, c.Epochs = []int{64}, 16, 3000, 200, 2
	s, _, err := m.Create(c)
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, s)
	f, err := s.Features(context.Background(), FeaturesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("features: %+v", *f)
	if f.TrainExamples != 100 || f.TestExamples != 5000 || f.PCAComponents != 16 || f.K != 5 {
		t.Fatalf("sizes: %+v", *f)
	}
	for name, a := range map[string]float64{"latent": f.Accuracy.Latent, "pca": f.Accuracy.PCA, "raw": f.Accuracy.Raw,
		"purity": f.KMeans.Purity.Latent} {
		if a < 0.3 || a > 1 {
			t.Errorf("%s = %v; want well above chance (%.2f) and ≤ 1", name, a, f.Chance)
		}
	}
	lr, err := s.Features(context.Background(), FeaturesRequest{Classifier: "logreg", LabelsPerClass: 5})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("logreg: %+v", lr.Accuracy)
	if lr.TrainExamples != 50 || lr.Accuracy.Latent < 0.3 {
		t.Fatalf("logreg: %+v", *lr)
	}

	p, err := s.Pretrain(context.Background(), PretrainRequest{Labels: 100, Epochs: 8, TestSize: 500})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pretrain in %.2fs: pretrained %v, random %v", p.Seconds, p.Pretrained.Accuracy, p.Random.Accuracy)
	if len(p.Pretrained.Accuracy) != 8 || len(p.Random.Accuracy) != 8 || len(p.Random.TrainLoss) != 8 || p.TestExamples != 500 {
		t.Fatalf("curves: %+v", *p)
	}
	if p.Pretrained.Final < 0.3 {
		t.Errorf("the pretrained classifier reaches only %.2f", p.Pretrained.Final)
	}

	for _, bad := range []FeaturesRequest{{LabelsPerClass: 101}, {Classifier: "svm"}, {K: 21}, {Classifier: "logreg", K: 3}} {
		if _, err := s.Features(context.Background(), bad); ErrorCode(err) != EInvalid {
			t.Errorf("%+v: err = %v; want invalid", bad, err)
		}
	}
	for _, bad := range []PretrainRequest{{Labels: 5}, {Epochs: 201}, {TestSize: 50}, {Head: "ones"}, {Labels: 5000, Epochs: 200}} {
		if _, err := s.Pretrain(context.Background(), bad); ErrorCode(err) != EInvalid {
			t.Errorf("%+v: err = %v; want invalid", bad, err)
		}
	}
}

func TestCachedPCAFitsOncePerData(t *testing.T) {
	ds, err := testRegistry.Load("mnist", 0)
	if err != nil {
		t.Fatal(err)
	}
	a, err := cachedPCA(ds, 50)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := cachedPCA(ds, 50)
	c, _ := cachedPCA(ds, 60)
	if a != b || a == c {
		t.Fatal("the same data must give the same cached fit, other data another")
	}
	if a.NumComponents() != 50 || c.NumComponents() != 60 {
		t.Fatalf("components: %d and %d; want every one (min(n, K))", a.NumComponents(), c.NumComponents())
	}
	for n := 61; n < 61+pcaCacheSize; n++ {
		if _, err := cachedPCA(ds, n); err != nil {
			t.Fatal(err)
		}
	}
	if again, _ := cachedPCA(ds, 50); again == a {
		t.Fatal("the least recently used fit was not evicted")
	}
}
