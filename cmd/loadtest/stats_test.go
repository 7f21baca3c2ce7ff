package main

import (
	"math"
	"testing"
	"time"
)

func TestPercentileNearestRank(t *testing.T) {
	// The textbook example of the nearest-rank method.
	xs := []float64{15, 20, 35, 40, 50}
	for _, tc := range []struct{ p, want float64 }{
		{0, 15}, {5, 15}, {20, 15}, {21, 20}, {30, 20}, {40, 20}, {50, 35}, {75, 40}, {99, 50}, {100, 50}, {150, 50}, {-1, 15},
	} {
		if got := percentile(xs, tc.p); got != tc.want {
			t.Errorf("percentile(%v, %g) = %g, want %g", xs, tc.p, got, tc.want)
		}
	}
}

func TestPercentileUnsortedInputUntouched(t *testing.T) {
	xs := []float64{9, 1, 8, 2, 7, 3, 6, 4, 5, 10}
	orig := append([]float64(nil), xs...)
	if got := percentile(xs, 50); got != 5 {
		t.Errorf("p50 = %g, want 5", got)
	}
	if got := percentile(xs, 90); got != 9 {
		t.Errorf("p90 = %g, want 9", got)
	}
	for i := range xs {
		if xs[i] != orig[i] {
			t.Fatalf("percentile modified its input: %v", xs)
		}
	}
}

func TestPercentileEmptyAndSingle(t *testing.T) {
	if got := percentile(nil, 50); !math.IsNaN(got) {
		t.Errorf("percentile(nil) = %g, want NaN", got)
	}
	if got := percentile([]float64{3}, 99); got != 3 {
		t.Errorf("percentile([3], 99) = %g, want 3", got)
	}
	if got := percentile([]float64{3}, math.NaN()); !math.IsNaN(got) {
		t.Errorf("percentile(p=NaN) = %g, want NaN", got)
	}
}

func TestSummarize(t *testing.T) {
	xs := make([]float64, 1000)
	for i := range xs {
		xs[len(xs)-1-i] = float64(i + 1) // 1000 … 1
	}
	s := summarize(xs)
	if s.N != 1000 || s.Min != 1 || s.Max != 1000 || s.Mean != 500.5 {
		t.Errorf("summary = %+v", s)
	}
	if s.P50 != 500 || s.P90 != 900 || s.P99 != 990 || s.P999 != 999 {
		t.Errorf("percentiles = %g %g %g %g, want 500 900 990 999", s.P50, s.P90, s.P99, s.P999)
	}
	if e := summarize(nil); e.N != 0 || !math.IsNaN(e.P50) || !math.IsNaN(e.Mean) {
		t.Errorf("empty summary = %+v", e)
	}
}

func TestLatenciesConcurrent(t *testing.T) {
	var l latencies
	done := make(chan struct{})
	for g := 0; g < 8; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := 1; i <= 100; i++ {
				l.add(time.Duration(i) * time.Millisecond)
			}
		}()
	}
	for g := 0; g < 8; g++ {
		<-done
	}
	l.fail(errTest)
	l.fail(nil)
	s, n, err := l.summary()
	if s.N != 800 || s.P50 != 50 || s.Max != 100 || n != 2 || err != errTest {
		t.Errorf("summary %+v, errors %d, first %v", s, n, err)
	}
}

var errTest = testError("boom")

type testError string

func (e testError) Error() string { return string(e) }

func TestRateOf(t *testing.T) {
	if got := rateOf(10, 4*time.Second); got != 2.5 {
		t.Errorf("rateOf(10, 4s) = %g", got)
	}
	if got := rateOf(10, 0); got != 0 {
		t.Errorf("rateOf(10, 0) = %g", got)
	}
}

func TestFmtMS(t *testing.T) {
	for _, tc := range []struct {
		ms   float64
		want string
	}{{1.234, "1.23 ms"}, {12.34, "12.3 ms"}, {123.4, "123 ms"}, {math.NaN(), "–"}} {
		if got := fmtMS(tc.ms); got != tc.want {
			t.Errorf("fmtMS(%g) = %q, want %q", tc.ms, got, tc.want)
		}
	}
}
