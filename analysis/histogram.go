package analysis

import "math"

// Histogram counts values in bins equal-width bins spanning [lo, hi]: bin i
// holds the values in [lo + i·w, lo + (i+1)·w) with w = (hi−lo)/bins, and the
// last bin also holds hi. Values outside [lo, hi] and NaNs are not counted;
// use CommonEdges to choose a range that holds every value. It panics unless
// bins ≥ 1 and lo < hi are finite.
func Histogram(values []float64, bins int, lo, hi float64) []int {
	if bins < 1 || math.IsInf(lo, 0) || math.IsInf(hi, 0) || !(lo < hi) {
		panicf("Histogram: %d bins over [%g, %g]; want bins ≥ 1 and finite lo < hi", bins, lo, hi)
	}
	counts := make([]int, bins)
	scale := float64(bins) / (hi - lo)
	for _, v := range values {
		if !(v >= lo && v <= hi) {
			continue
		}
		counts[min(int((v-lo)*scale), bins-1)]++
	}
	return counts
}

// CommonEdges returns the bins+1 edges of equal-width bins that span every
// finite value of both groups, so that their two histograms (e.g. the
// anomaly scores of normal and of anomalous examples) share one axis and can
// be drawn on top of each other: edges[0] is the smallest value, edges[bins]
// the largest. If all values are equal the range is widened by ½ (or by
// half the value, if larger) on each side; if there is no finite value it is [0, 1]. Pass edges[0] and
// edges[bins] to Histogram. It panics if bins < 1.
func CommonEdges(a, b []float64, bins int) []float64 {
	if bins < 1 {
		panicf("CommonEdges: %d bins; want bins ≥ 1", bins)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, group := range [][]float64{a, b} {
		for _, v := range group {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	switch {
	case lo > hi: // no finite value
		lo, hi = 0, 1
	case lo == hi:
		pad := max(1, math.Abs(lo)) / 2
		lo, hi = lo-pad, hi+pad
	}
	edges := make([]float64, bins+1)
	for i := range edges {
		edges[i] = lo + (hi-lo)*float64(i)/float64(bins)
	}
	edges[bins] = hi // exact, whatever the rounding above
	return edges
}
