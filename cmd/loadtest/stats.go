package main

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// percentile returns the p-th percentile (0 ≤ p ≤ 100) of xs by the
// nearest-rank method: the smallest value such that at least p% of the
// values are less than or equal to it. It returns NaN for no values and
// does not modify xs.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 || math.IsNaN(p) {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return percentileSorted(s, p)
}

func percentileSorted(s []float64, p float64) float64 {
	switch {
	case p <= 0:
		return s[0]
	case p >= 100:
		return s[len(s)-1]
	}
	// 1-based rank; the epsilon keeps p·n/100 from rounding up past an
	// exact integer (99.9/100·1000 is 999.0000000000001 in floating point).
	rank := int(math.Ceil(p*float64(len(s))/100 - 1e-9))
	return s[max(rank, 1)-1]
}

// summary describes a sample: its size, extremes, mean and percentiles.
type summary struct {
	N                   int
	Min, Max, Mean      float64
	P50, P90, P99, P999 float64
}

// summarize computes the summary of xs (all NaN but N for no values).
func summarize(xs []float64) summary {
	if len(xs) == 0 {
		n := math.NaN()
		return summary{Min: n, Max: n, Mean: n, P50: n, P90: n, P99: n, P999: n}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	sum := 0.0
	for _, x := range s {
		sum += x
	}
	return summary{N: len(s), Min: s[0], Max: s[len(s)-1], Mean: sum / float64(len(s)),
		P50: percentileSorted(s, 50), P90: percentileSorted(s, 90), P99: percentileSorted(s, 99),
		P999: percentileSorted(s, 99.9)}
}

// latencies collects request durations (in milliseconds) and failures from
// many goroutines.
type latencies struct {
	mu       sync.Mutex
	ms       []float64
	errors   int
	firstErr error
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.ms = append(l.ms, float64(d)/float64(time.Millisecond))
	l.mu.Unlock()
}

func (l *latencies) fail(err error) {
	l.mu.Lock()
	l.errors++
	if l.firstErr == nil {
		l.firstErr = err
	}
	l.mu.Unlock()
}

func (l *latencies) summary() (summary, int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return summarize(l.ms), l.errors, l.firstErr
}

// fmtMS formats milliseconds for the report.
func fmtMS(ms float64) string {
	switch {
	case math.IsNaN(ms):
		return "–"
	case ms < 10:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 100:
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%.0f ms", ms)
}

// rateOf is count events over d, per second (0 for an empty span).
func rateOf(count int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(count) / d.Seconds()
}
