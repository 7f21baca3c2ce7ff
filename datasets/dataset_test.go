package datasets

import (
	"math"
	"strings"
	"testing"
)

func tinyDataset() *Dataset {
	return &Dataset{
		Name: "tiny", Features: 2, Shape: Shape{2, 1}, ClassNames: []string{"a", "b"},
		ValueRange: [2]float32{0, 1},
		Train:      NewSplit([]float32{0, 1, 0.5, 0.5}, []int{0, 1}, 2),
		Test:       NewSplit([]float32{1, 0}, []int{-1}, 2),
	}
}

func TestValidate(t *testing.T) {
	if err := tinyDataset().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		want    string
		breakIt func(d *Dataset)
	}{
		{"0 features", func(d *Dataset) { d.Features = 0 }},
		{"does not hold", func(d *Dataset) { d.Shape = Shape{3, 1} }},
		{"feature names", func(d *Dataset) { d.FeatureNames = []string{"x"} }},
		{"empty value range", func(d *Dataset) { d.ValueRange = [2]float32{1, 0} }},
		{"train split: N=3", func(d *Dataset) { d.Train.N = 3 }},
		{"test split: N=1 but 2 values of 2 features and 0 labels", func(d *Dataset) { d.Test.Labels = nil }},
		{"label 2 of example 1", func(d *Dataset) { d.Train.Labels[1] = 2 }},
		{"label -2", func(d *Dataset) { d.Test.Labels[0] = -2 }},
		{"value 1.5 at example 1, feature 0", func(d *Dataset) { d.Train.x[2] = 1.5 }},
		{"value NaN", func(d *Dataset) { d.Test.x[1] = float32(math.NaN()) }},
	} {
		d := tinyDataset()
		c.breakIt(d)
		if err := d.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error mentioning %q", err, c.want)
		}
	}
}

func TestRow(t *testing.T) {
	d := tinyDataset()
	r := d.Train.Row(1)
	if len(r) != 2 || r[0] != 0.5 {
		t.Errorf("Row(1) = %v", r)
	}
	r[0] = 9 // a copy: the data must not change
	if d.Train.Row(1)[0] != 0.5 {
		t.Error("Row returned the split's own memory")
	}
	defer func() {
		if recover() == nil {
			t.Error("Row out of range did not panic")
		}
	}()
	d.Test.Row(1)
}

func TestDatasetInfoCopiesClassNames(t *testing.T) {
	d := tinyDataset()
	info := d.Info()
	info.ClassNames[0] = "changed"
	if d.ClassNames[0] != "a" || !info.Available || info.TrainSize != 2 || info.TestSize != 1 {
		t.Errorf("Info shares ClassNames or is wrong: %+v", info)
	}
}
