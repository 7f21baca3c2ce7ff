package datasets

import (
	"math"
	"slices"
	"testing"
)

func TestScaleUnit(t *testing.T) {
	// Two features: the first spans 0..10, the second 5..7 in training.
	train := []float64{0, 5, 10, 7, 5, 6}
	cases := []struct {
		mode            scaleMode
		wantTrain, test []float64
	}{
		{perFeature, []float64{0, 0, 1, 1, 0.5, 0.5}, []float64{1, 0}},   // test 12, 4 clipped
		{isotropic, []float64{0, 0, 1, 0.2, 0.5, 0.1}, []float64{1, 0}},  // one scale: 10
		{global, []float64{0, 0.5, 1, 0.7, 0.5, 0.6}, []float64{1, 0.4}}, // min 0, max 10
	}
	for _, c := range cases {
		tr, te := slices.Clone(train), []float64{12, 4}
		scaleUnit(tr, te, 2, c.mode)
		if !approxEqual(tr, c.wantTrain) || !approxEqual(te, c.test) {
			t.Errorf("mode %d: train %v test %v, want %v %v", c.mode, tr, te, c.wantTrain, c.test)
		}
	}
	// A constant feature becomes 0, not NaN.
	tr, te := []float32{3, 3, 3}, []float32{4}
	scaleUnit(tr, te, 1, perFeature)
	if !slices.Equal(tr, []float32{0, 0, 0}) || te[0] != 0 {
		t.Errorf("constant feature: %v %v", tr, te)
	}
}

func TestZScore(t *testing.T) {
	tr, te := []float64{1, 10, 3, 10}, []float64{5, 11}
	zscore(tr, te, 2)
	if !approxEqual(tr, []float64{-1, 0, 1, 0}) || !approxEqual(te, []float64{3, 0}) {
		t.Errorf("zscore: %v %v", tr, te)
	}
}

func TestValueRange(t *testing.T) {
	if r := valueRange([]float32{}, nil); r != [2]float32{0, 0} {
		t.Errorf("empty: %v", r)
	}
	if r := valueRange([]float32{2, -1}, []float32{5}); r != [2]float32{-1, 5} {
		t.Errorf("got %v", r)
	}
}

func approxEqual(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Abs(x-y) < 1e-9 })
}
