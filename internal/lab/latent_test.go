package lab

import (
	"math"
	"slices"
	"testing"
)

func TestDeadUnits(t *testing.T) {
	got := deadUnits([]float64{4, 0, 1e-5, 0.5, math.NaN()})
	if want := []bool{false, true, true, false, true}; !slices.Equal(got, want) {
		t.Fatalf("deadUnits = %v, want %v", got, want)
	}
	if got := deadUnits([]float64{0, 0}); !slices.Equal(got, []bool{true, true}) {
		t.Fatalf("all-zero variances: %v", got)
	}
}
