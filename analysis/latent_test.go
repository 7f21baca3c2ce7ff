package analysis

import (
	"math"
	"slices"
	"testing"
)

func TestGrid(t *testing.T) {
	g := Grid([2]float32{-1, 0}, [2]float32{1, 4}, 3, 5)
	if len(g) != 3*5*2 {
		t.Fatalf("len = %d; want 30", len(g))
	}
	at := func(r, c int) [2]float32 { return [2]float32{g[2*(r*5+c)], g[2*(r*5+c)+1]} }
	for _, tc := range []struct {
		r, c int
		want [2]float32
	}{
		{0, 0, [2]float32{-1, 4}}, // top left: first unit low, second high
		{0, 4, [2]float32{1, 4}},
		{2, 0, [2]float32{-1, 0}},
		{2, 4, [2]float32{1, 0}},
		{1, 2, [2]float32{0, 2}}, // centre
		{1, 1, [2]float32{-0.5, 2}},
	} {
		if got := at(tc.r, tc.c); got != tc.want {
			t.Errorf("code (%d, %d) = %v; want %v", tc.r, tc.c, got, tc.want)
		}
	}
	if g := Grid([2]float32{0, 0}, [2]float32{2, 6}, 1, 1); !slices.Equal(g, []float32{1, 3}) {
		t.Errorf("1×1 grid = %v; want the centre [1 3]", g)
	}
	mustPanic(t, "want at least 1×1", func() { Grid([2]float32{}, [2]float32{1, 1}, 0, 3) })
}

func TestInterpolate(t *testing.T) {
	a := []float32{0, 10, -2, 0.1}
	b := []float32{1, 20, 2, 0.7}
	dst := make([]float32, 5*4)
	Interpolate(dst, a, b, 5)
	if !slices.Equal(dst[:4], a) || !slices.Equal(dst[16:], b) {
		t.Errorf("endpoints %v and %v; want a and b exactly", dst[:4], dst[16:])
	}
	if mid := dst[8:12]; !slices.EqualFunc(mid, []float32{0.5, 15, 0, 0.4}, func(x, y float32) bool { return near(float64(x), float64(y), 1e-6) }) {
		t.Errorf("midpoint %v; want [0.5 15 0 0.4]", mid)
	}
	if q := dst[4]; !near(float64(q), 0.25, 1e-7) {
		t.Errorf("quarter point %g; want 0.25", q)
	}
	mustPanic(t, "at least 2", func() { Interpolate(dst[:4], a, b, 1) })
	mustPanic(t, "len(dst)", func() { Interpolate(dst, a, b, 4) })
	mustPanic(t, "different lengths", func() { Interpolate(dst, a, b[:3], 5) })
}

func TestUnitVarianceFindsDeadUnits(t *testing.T) {
	// Unit 0 alternates 1 and 3 (variance 1), unit 1 is dead, unit 2 is
	// 0, 0, 0, 4 (mean 1, variance (1+1+1+9)/4 = 3).
	codes := []float32{
		1, 0.5, 0,
		3, 0.5, 0,
		1, 0.5, 0,
		3, 0.5, 4,
	}
	v := UnitVariance(codes, 4, 3)
	if !near(v[0], 1, 1e-12) || v[1] != 0 || !near(v[2], 3, 1e-12) {
		t.Errorf("variances %v; want [1 0 3]", v)
	}
	mustPanic(t, "len(codes)", func() { UnitVariance(codes, 5, 3) })
}

func TestBounds(t *testing.T) {
	// Unit 0: 0, 1, …, 100 shuffled; unit 1: all 7 but one outlier at 1000.
	const n = 101
	codes := make([]float32, 2*n)
	perm := newRNG(91).Perm(n)
	for i, p := range perm {
		codes[2*i] = float32(p)
		codes[2*i+1] = 7
	}
	codes[2*50+1] = 1000
	lo, hi := Bounds(codes, n, 2, 0)
	if lo[0] != 0 || hi[0] != 100 || lo[1] != 7 || hi[1] != 1000 {
		t.Errorf("q = 0: [%v, %v]; want the minima and maxima [0 7], [100 1000]", lo, hi)
	}
	lo, hi = Bounds(codes, n, 2, 0.025)
	// Position 0.025·100 = 2.5 between the sorted values 2 and 3.
	if lo[0] != 2.5 || hi[0] != 97.5 || lo[1] != 7 || hi[1] != 7 {
		t.Errorf("q = 0.025: [%v, %v]; want [2.5 7], [97.5 7] (the outlier ignored)", lo, hi)
	}
	mustPanic(t, "q = 0.5", func() { Bounds(codes, n, 2, 0.5) })
}

// TestNormalBounds: the box of N(0, I) is ±Φ⁻¹(1−q) on every unit (the
// table values 1.959964 for q = 0.025 and 2.053749 for q = 0.02), and a
// box that leaves out a fraction q at each end has Φ(lo) = q.
func TestNormalBounds(t *testing.T) {
	for _, c := range []struct{ q, z float64 }{{0.025, 1.959964}, {0.02, 2.053749}, {0.1, 1.281552}} {
		lo, hi := NormalBounds(3, c.q)
		if len(lo) != 3 || len(hi) != 3 {
			t.Fatalf("q = %g: %d and %d bounds for 3 units", c.q, len(lo), len(hi))
		}
		for j := range 3 {
			if math.Abs(float64(hi[j])-c.z) > 1e-5 || lo[j] != -hi[j] {
				t.Fatalf("q = %g, unit %d: [%g, %g], want ±%g", c.q, j, lo[j], hi[j], c.z)
			}
		}
		if cdf := 0.5 * math.Erfc(-float64(lo[0])/math.Sqrt2); math.Abs(cdf-c.q) > 1e-6 {
			t.Fatalf("q = %g: Φ(lo) = %g", c.q, cdf)
		}
	}
	for _, q := range []float64{0, 0.5, -0.1, math.NaN()} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NormalBounds(2, %g) did not panic", q)
				}
			}()
			NormalBounds(2, q)
		}()
	}
}
