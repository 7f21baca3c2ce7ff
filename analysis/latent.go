package analysis

import (
	"math"
	"slices"
)

// Grid returns rows×cols two-dimensional latent codes on a regular grid over
// the rectangle [lo[0], hi[0]] × [lo[1], hi[1]], for decoding into the
// manifold picture of a 2-unit autoencoder. Code (r, c) is at index
// 2·(r·cols + c): its first unit runs from lo[0] in column 0 to hi[0] in the
// last column, and its second unit from hi[1] in row 0 down to lo[1] in the
// last row, so the decoded images tile the scatter plot as drawn (second
// unit upwards). A single row or column sits at the middle of the range.
// It panics unless rows, cols ≥ 1.
func Grid(lo, hi [2]float32, rows, cols int) []float32 {
	if rows < 1 || cols < 1 {
		panicf("Grid: %d×%d; want at least 1×1", rows, cols)
	}
	at := func(lo, hi float32, i, count int) float32 {
		if count == 1 {
			return lo + (hi-lo)/2
		}
		t := float64(i) / float64(count-1)
		return float32((1-t)*float64(lo) + t*float64(hi))
	}
	g := make([]float32, 0, 2*rows*cols)
	for r := range rows {
		y := at(hi[1], lo[1], r, rows)
		for c := range cols {
			g = append(g, at(lo[0], hi[0], c, cols), y)
		}
	}
	return g
}

// Interpolate writes to dst (steps×m, m = len(a)) the codes on the straight
// line from a to b: row s is (1−t)·a + t·b with t = s/(steps−1), so the first
// row is a and the last is b exactly. Decoding the rows shows how the
// autoencoder morphs one example into another. It panics unless a and b have
// the same length, steps ≥ 2, and dst has steps×m values.
func Interpolate(dst, a, b []float32, steps int) {
	checkSameLen("Interpolate", a, b)
	if steps < 2 {
		panicf("Interpolate: %d steps; want at least 2 (the endpoints)", steps)
	}
	m := len(a)
	checkLen("Interpolate", "dst", dst, steps, m)
	for s := range steps {
		t := float64(s) / float64(steps-1)
		row := dst[s*m : (s+1)*m]
		for j, v := range a {
			row[j] = float32((1-t)*float64(v) + t*float64(b[j]))
		}
	}
}

// UnitVariance returns the variance over the n ≥ 1 codes (n×m, row-major)
// of each of the m latent units (dividing by n). A unit whose variance is
// about 0 is dead: it outputs the same value for every input, so it carries
// no information and the code is effectively narrower. It panics on shape
// misuse.
func UnitVariance(codes []float32, n, m int) []float64 {
	if n < 1 || m < 1 {
		panicf("UnitVariance: %d×%d codes; want n ≥ 1 and m ≥ 1", n, m)
	}
	checkLen("UnitVariance", "codes", codes, n, m)
	mean := make([]float64, m)
	for i := range n {
		for j, v := range codes[i*m : (i+1)*m] {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	vars := make([]float64, m)
	for i := range n {
		for j, v := range codes[i*m : (i+1)*m] {
			e := float64(v) - mean[j]
			vars[j] += e * e
		}
	}
	for j := range vars {
		vars[j] /= float64(n)
	}
	return vars
}

// Bounds returns, for each of the m latent units, the q and 1−q quantiles
// of its values over the n ≥ 1 codes (n×m, row-major), interpolating
// linearly between sorted values. With q = 0 they are the minimum and
// maximum; with q = 0.01 the 1% most extreme codes at each end do not
// stretch the range, so a manifold Grid or a slider over [lo, hi] covers
// where the data really lies. It panics on shape misuse or unless
// 0 ≤ q < 0.5.
func Bounds(codes []float32, n, m int, q float64) (lo, hi []float32) {
	if n < 1 || m < 1 {
		panicf("Bounds: %d×%d codes; want n ≥ 1 and m ≥ 1", n, m)
	}
	checkLen("Bounds", "codes", codes, n, m)
	if !(q >= 0 && q < 0.5) {
		panicf("Bounds: q = %g; want 0 ≤ q < 0.5", q)
	}
	lo, hi = make([]float32, m), make([]float32, m)
	col := make([]float32, n)
	for j := range m {
		for i := range col {
			col[i] = codes[i*m+j]
		}
		slices.Sort(col)
		lo[j], hi[j] = quantile(col, q), quantile(col, 1-q)
	}
	return lo, hi
}

// NormalBounds returns, for each of m latent units, the q and 1−q quantiles
// of the standard normal N(0, 1): the box of a variational autoencoder's
// prior that leaves out the fraction q of its codes at each end of every
// unit (±2.054 for q = 0.02). A manifold Grid over it shows what sampling
// from the prior can draw, whatever the encoder does with its codes. It
// panics unless m ≥ 1 and 0 < q < 0.5.
func NormalBounds(m int, q float64) (lo, hi []float32) {
	if m < 1 {
		panicf("NormalBounds: m = %d; want m ≥ 1", m)
	}
	if !(q > 0 && q < 0.5) {
		panicf("NormalBounds: q = %g; want 0 < q < 0.5", q)
	}
	z := float32(math.Sqrt2 * math.Erfinv(1-2*q)) // Φ⁻¹(1−q)
	lo, hi = make([]float32, m), make([]float32, m)
	for j := range m {
		lo[j], hi[j] = -z, z
	}
	return lo, hi
}

// quantile returns the p-quantile of the sorted values s, interpolating
// linearly between the two nearest order statistics (R's default, type 7).
func quantile(s []float32, p float64) float32 {
	pos := p * float64(len(s)-1)
	i := int(pos)
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	f := pos - float64(i)
	return float32((1-f)*float64(s[i]) + f*float64(s[i+1]))
}
