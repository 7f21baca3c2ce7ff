package analysis

import (
	"slices"
	"testing"
)

func TestHistogram(t *testing.T) {
	values := []float64{0, 0.1, 0.25, 0.5, 0.74, 0.75, 1, -0.1, 1.1}
	// Bins [0,.25) [.25,.5) [.5,.75) [.75,1]; −0.1 and 1.1 are out of range.
	if got, want := Histogram(values, 4, 0, 1), []int{2, 1, 2, 2}; !slices.Equal(got, want) {
		t.Errorf("Histogram = %v; want %v", got, want)
	}
	mustPanic(t, "bins", func() { Histogram(values, 0, 0, 1) })
	mustPanic(t, "lo < hi", func() { Histogram(values, 3, 1, 1) })
}

func TestCommonEdges(t *testing.T) {
	normal := []float64{0.02, 0.05, 0.03}
	anomal := []float64{0.2, 0.1, 0.42}
	edges := CommonEdges(normal, anomal, 4)
	if want := []float64{0.02, 0.12, 0.22, 0.32, 0.42}; len(edges) != 5 || !slices.EqualFunc(edges, want, func(a, b float64) bool { return near(a, b, 1e-12) }) {
		t.Fatalf("edges = %v; want %v", edges, want)
	}
	lo, hi := edges[0], edges[len(edges)-1]
	hn, ha := Histogram(normal, 4, lo, hi), Histogram(anomal, 4, lo, hi)
	if !slices.Equal(hn, []int{3, 0, 0, 0}) || !slices.Equal(ha, []int{1, 1, 0, 1}) {
		t.Errorf("histograms %v and %v; want [3 0 0 0] and [1 1 0 1]", hn, ha)
	}
	if e := CommonEdges([]float64{0.25, 0.25}, nil, 2); e[0] != -0.25 || e[2] != 0.75 {
		t.Errorf("equal values: edges %v; want [-0.25 0.25 0.75]", e)
	}
	if e := CommonEdges(nil, []float64{-8}, 2); e[0] != -12 || e[2] != -4 {
		t.Errorf("equal values: edges %v; want [-12 -8 -4]", e)
	}
	if e := CommonEdges(nil, nil, 1); e[0] != 0 || e[1] != 1 {
		t.Errorf("no values: edges %v; want [0 1]", e)
	}
}
