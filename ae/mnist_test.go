package ae_test

import (
	"testing"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/datasets"
)

// meanImageMSE is the test MSE of always answering the mean training image:
// the baseline any autoencoder must beat by far.
const meanImageMSE = 0.0675

// TestMNISTSubsetLearnsFarBelowMeanImage trains the textbook 784 → 50
// autoencoder on 4,000 MNIST digits for a few epochs and checks that the test
// loss ends well below the mean-image baseline (and that the baseline figure
// itself is right).
func TestMNISTSubsetLearnsFarBelowMeanImage(t *testing.T) {
	ds, err := datasets.NewRegistry("").Load("mnist", 0)
	if err != nil {
		t.Fatal(err)
	}
	const k, n, nTest = 784, 4000, 2000
	train, test := ds.Train.AppendRows(nil, 0, n), ds.Test.AppendRows(nil, 0, nTest)

	mean := make([]float64, k)
	row := make([]float32, k)
	for i := 0; i < ds.Train.N; i++ {
		ds.Train.ReadRow(row, i)
		for j, v := range row {
			mean[j] += float64(v)
		}
	}
	var se float64
	for i := 0; i < ds.Test.N; i++ {
		ds.Test.ReadRow(row, i)
		for j, v := range row {
			d := float64(v) - mean[j]/float64(ds.Train.N)
			se += d * d
		}
	}
	if base := se / float64(ds.Test.N*k); base < 0.066 || base > 0.069 {
		t.Fatalf("mean-image baseline = %.4f, want ≈ %.4f", base, meanImageMSE)
	}

	m, err := ae.New(ae.Config{Sizes: []int{784, 256, 50, 256, 784}, Bottleneck: 2, Hidden: ae.ReLU,
		Output: ae.Sigmoid, Loss: ae.MSE, Optimizer: ae.Optimizer{Kind: ae.Adam, LearningRate: 1e-3},
		BatchSize: 64, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	before := m.EvalLoss(test, nil, nTest)
	b := ae.NewBatcher(train, n, k, 64, 1)
	for step := 0; step < 5*b.StepsPerEpoch(); step++ {
		x, rows := b.Next()
		m.TrainStep(x, nil, rows)
	}
	after := m.EvalLoss(test, nil, nTest)
	t.Logf("test MSE: %.4f before, %.4f after 5 epochs of 4,000 digits (mean image: %.4f)", before, after, meanImageMSE)
	if after > meanImageMSE/2.5 {
		t.Fatalf("test MSE %.4f is not well below the mean-image baseline %.4f", after, meanImageMSE)
	}
}
