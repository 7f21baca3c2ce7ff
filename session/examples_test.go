package session

import (
	"slices"
	"testing"
)

func TestReconExamplesArePrefixStableAndMatchTheProbe(t *testing.T) {
	ds, err := testRegistry.Load("mnist", 0)
	if err != nil {
		t.Fatal(err)
	}
	p := newProbe(ds, 2)
	ten := ReconExamples(ds, reconExamples)
	if len(ten) != reconExamples {
		t.Fatalf("ReconExamples(10) = %v", ten)
	}
	for i, j := range ten {
		if ds.Test.Labels[j] != p.recLabels[i] || !slices.Equal(ds.Test.Row(j), p.recX[i*ds.Features:(i+1)*ds.Features]) {
			t.Fatalf("example %d (test %d) is not the probe's reconstruction example %d", i, j, i)
		}
	}
	many := ReconExamples(ds, 64)
	if len(many) != 64 || !slices.Equal(many[:reconExamples], ten) {
		t.Fatalf("ReconExamples(64) does not start with ReconExamples(10): %v vs %v", many[:reconExamples], ten)
	}
	if few := ReconExamples(ds, 3); !slices.Equal(few, ten[:3]) {
		t.Fatalf("ReconExamples(3) = %v, want %v", few, ten[:3])
	}
	if n := LatentExamples(ds); n != latentExamples || n != len(p.latLabels) {
		t.Fatalf("LatentExamples = %d, the probe shows %d", n, len(p.latLabels))
	}
}

// The 3-D toy sets get enough reconstructions to draw as point clouds, from
// every class; image data keeps its ten.
func TestProbeSendsPointCloudsForLowDimensionalData(t *testing.T) {
	ds, err := testRegistry.Load("swiss_roll", 0)
	if err != nil {
		t.Fatal(err)
	}
	p := newProbe(ds, 2)
	if n := len(p.recLabels); n != min(cloudExamples, ds.Test.N) {
		t.Fatalf("swiss roll: %d reconstruction examples, want %d", n, min(cloudExamples, ds.Test.N))
	}
	classes := map[int]bool{}
	for _, l := range p.recLabels {
		classes[l] = true
	}
	if len(classes) != len(ds.ClassNames) {
		t.Errorf("the cloud shows %d of %d classes", len(classes), len(ds.ClassNames))
	}
	mnist, _ := testRegistry.Load("mnist", 0)
	if n := len(newProbe(mnist, 2).recLabels); n != reconExamples {
		t.Errorf("mnist: %d reconstruction examples, want %d", n, reconExamples)
	}
}
