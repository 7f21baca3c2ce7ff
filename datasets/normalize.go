package datasets

import "math"

// float is the element type of data being scaled.
type float interface{ ~float32 | ~float64 }

// scaleMode says how values are mapped into [0,1]. Statistics always come
// from the training split alone, as a model would see them; test values are
// transformed the same way and then clipped to [0,1].
type scaleMode int

const (
	// perFeature: each feature by its own min and max (CSV "minmax").
	perFeature scaleMode = iota
	// isotropic: each feature shifted by its own min, all divided by the
	// largest feature range, so shapes of point clouds keep their
	// proportions (the widest feature spans [0,1]).
	isotropic
	// global: one min and one max over all features, for time series and
	// images whose features share a unit (CSV "global").
	global
)

// scaleUnit scales train and test (row-major, k features) in place into
// [0,1] with statistics of train.
func scaleUnit[T float](train, test []T, k int, mode scaleMode) {
	lo, hi := columnRange(train, k)
	off := make([]float64, k)
	inv := make([]float64, k)
	switch mode {
	case perFeature:
		for j := range k {
			off[j] = lo[j]
			inv[j] = invRange(hi[j] - lo[j])
		}
	case isotropic:
		widest := 0.0
		for j := range k {
			widest = math.Max(widest, hi[j]-lo[j])
		}
		for j := range k {
			off[j], inv[j] = lo[j], invRange(widest)
		}
	case global:
		l, h := math.Inf(1), math.Inf(-1)
		for j := range k {
			l, h = math.Min(l, lo[j]), math.Max(h, hi[j])
		}
		for j := range k {
			off[j], inv[j] = l, invRange(h-l)
		}
	}
	apply := func(x []T) {
		for i, v := range x {
			j := i % k
			x[i] = T(clamp01((float64(v) - off[j]) * inv[j]))
		}
	}
	apply(train)
	apply(test)
}

// zscore standardises each feature of train and test in place to mean 0 and
// standard deviation 1 over train; constant features become 0.
func zscore[T float](train, test []T, k int) {
	n := len(train) / k
	mean := make([]float64, k)
	inv := make([]float64, k)
	for i, v := range train {
		mean[i%k] += float64(v)
	}
	for j := range mean {
		mean[j] /= float64(max(n, 1))
	}
	for i, v := range train {
		d := float64(v) - mean[i%k]
		inv[i%k] += d * d
	}
	for j := range inv {
		inv[j] = invRange(math.Sqrt(inv[j] / float64(max(n, 1))))
	}
	for _, x := range [][]T{train, test} {
		for i, v := range x {
			x[i] = T((float64(v) - mean[i%k]) * inv[i%k])
		}
	}
}

// columnRange returns the min and max of each of the k features of x
// (zero when x is empty).
func columnRange[T float](x []T, k int) (lo, hi []float64) {
	lo, hi = make([]float64, k), make([]float64, k)
	if len(x) < k {
		return lo, hi
	}
	for j := range k {
		lo[j], hi[j] = float64(x[j]), float64(x[j])
	}
	for i, v := range x {
		j, f := i%k, float64(v)
		lo[j], hi[j] = math.Min(lo[j], f), math.Max(hi[j], f)
	}
	return lo, hi
}

// valueRange returns the smallest and largest value in xs ({0,0} if none).
func valueRange(xs ...[]float32) [2]float32 {
	var r [2]float32
	first := true
	for _, x := range xs {
		for _, v := range x {
			if first {
				r, first = [2]float32{v, v}, false
			}
			r[0], r[1] = min(r[0], v), max(r[1], v)
		}
	}
	return r
}

// invRange returns 1/r, or 0 for a degenerate (zero or non-finite) range, so
// constant features map to 0.
func invRange(r float64) float64 {
	if !(r > 1e-300) || math.IsInf(r, 0) {
		return 0
	}
	return 1 / r
}

func clamp01(v float64) float64 { return math.Min(1, math.Max(0, v)) }
