package session

import (
	"math"
	"testing"
)

func TestAppendQuantisedRoundTripsWithinHalfAStep(t *testing.T) {
	v := []float32{-1, 0, 0.25, 0.5, 0.999, 1, 2, float32(math.NaN())}
	got := AppendQuantised([]byte{7}, v, 0, 1)
	want := []byte{7, 0, 0, 64, 128, 255, 255, 255, 0}
	if string(got) != string(want) {
		t.Fatalf("bytes = %v, want %v", got, want)
	}
	if b := AppendQuantised(nil, []float32{3, 4}, 2, 2); b[0] != 0 || b[1] != 0 {
		t.Fatalf("empty range gave %v, want zeros", b)
	}
}

func TestQuantRangeWidensToTheValues(t *testing.T) {
	if lo, hi := QuantRange([2]float32{0, 1}, []float32{0.5, 1.5}, []float32{-0.25}); lo != -0.25 || hi != 1.5 {
		t.Fatalf("range = [%v, %v], want [-0.25, 1.5]", lo, hi)
	}
	inf := float32(math.Inf(1))
	if lo, hi := QuantRange([2]float32{0, 1}, []float32{inf}); lo != 0 || hi != 1 {
		t.Fatalf("an infinite value gave [%v, %v], want the dataset's [0, 1]", lo, hi)
	}
}
