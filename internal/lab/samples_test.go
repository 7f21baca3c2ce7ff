package lab

import (
	"slices"
	"testing"
)

// Every class shows, in turns, and rare classes are not padded.
func TestRoundRobin(t *testing.T) {
	labels := []int{2, 2, 0, 2, -1, 0, 1}
	if got, want := roundRobin(labels, 5), []int{4, 2, 6, 0, 5}; !slices.Equal(got, want) {
		t.Fatalf("roundRobin = %v, want %v", got, want)
	}
	if got := roundRobin(labels, 100); len(got) != len(labels) {
		t.Fatalf("asking for more than there are: %v", got)
	}
}
