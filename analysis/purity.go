package analysis

import "math"

// contingency is the table of counts of examples in cluster i (rows) and
// class j (columns), ignoring examples with a negative cluster or class.
type contingency struct {
	r, c       int
	n          []int // r×c
	rows, cols []int // row and column sums
	total      int
}

// newContingency tabulates the pairs (a[i], b[i]); it panics if the lengths
// differ.
func newContingency(op string, a, b []int) *contingency {
	checkSameLen(op, a, b)
	t := &contingency{}
	for i, x := range a {
		if x >= 0 && b[i] >= 0 {
			t.r, t.c = max(t.r, x+1), max(t.c, b[i]+1)
		}
	}
	t.n, t.rows, t.cols = make([]int, t.r*t.c), make([]int, t.r), make([]int, t.c)
	for i, x := range a {
		if y := b[i]; x >= 0 && y >= 0 {
			t.n[x*t.c+y]++
			t.rows[x]++
			t.cols[y]++
			t.total++
		}
	}
	return t
}

// Purity returns the fraction of examples whose class is the most common
// class of their cluster: each cluster is labelled with its majority class
// and scored like a classifier. It is 1 when every cluster holds a single
// class, but it also rewards many small clusters, so compare clusterings
// with the same number of clusters (or use AdjustedRandIndex or NMI).
// Examples with a negative cluster or class are ignored; with none left the
// purity is NaN. It panics if the lengths differ.
func Purity(clusters, classes []int) float64 {
	t := newContingency("Purity", clusters, classes)
	if t.total == 0 {
		return math.NaN()
	}
	right := 0
	for i := 0; i < t.r; i++ {
		right += maxInt(t.n[i*t.c : (i+1)*t.c])
	}
	return float64(right) / float64(t.total)
}

// AdjustedRandIndex returns the agreement of two partitions of the same
// examples (e.g. clusters and classes), over all pairs of examples: whether
// both partitions put the pair together or both apart, corrected for chance
// so that random partitions score about 0 and identical ones (up to the
// numbering of the groups) 1. Examples with a negative group are ignored;
// with none left it is NaN. It panics if the lengths differ.
func AdjustedRandIndex(a, b []int) float64 {
	t := newContingency("AdjustedRandIndex", a, b)
	if t.total == 0 {
		return math.NaN()
	}
	pairs := func(counts []int) float64 {
		var s float64
		for _, v := range counts {
			s += float64(v) * float64(v-1) / 2
		}
		return s
	}
	index, sa, sb := pairs(t.n), pairs(t.rows), pairs(t.cols)
	all := float64(t.total) * float64(t.total-1) / 2
	expected := 0.0
	if all > 0 {
		expected = sa * sb / all
	}
	// The index can only equal its chance level when both partitions are
	// the same trivial one: a single group, or all singletons.
	if sa == sb && (sa == 0 || sa == all) {
		return 1
	}
	return (index - expected) / ((sa+sb)/2 - expected)
}

// NMI returns the normalised mutual information of two partitions of the
// same examples: the information I(a; b) that knowing one group gives about
// the other, divided by the mean of their entropies, (H(a)+H(b))/2. It is 1
// for identical partitions (up to numbering) and 0 for independent ones, and
// 1 if both put every example in one group. Examples with a negative group
// are ignored; with none left it is NaN. It panics if the lengths differ.
func NMI(a, b []int) float64 {
	t := newContingency("NMI", a, b)
	if t.total == 0 {
		return math.NaN()
	}
	n := float64(t.total)
	entropy := func(counts []int) float64 {
		var h float64
		for _, v := range counts {
			if v > 0 {
				p := float64(v) / n
				h -= p * math.Log(p)
			}
		}
		return h
	}
	ha, hb := entropy(t.rows), entropy(t.cols)
	if ha == 0 && hb == 0 {
		return 1
	}
	var mi float64
	for i := 0; i < t.r; i++ {
		for j := 0; j < t.c; j++ {
			if v := t.n[i*t.c+j]; v > 0 {
				mi += float64(v) / n * math.Log(float64(v)*n/(float64(t.rows[i])*float64(t.cols[j])))
			}
		}
	}
	return max(mi, 0) / ((ha + hb) / 2)
}

// maxInt returns the largest element of s, or 0 if s is empty.
func maxInt(s []int) int {
	m := 0
	for _, v := range s {
		m = max(m, v)
	}
	return m
}
