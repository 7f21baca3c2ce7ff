package session

import "math"

// The stream carries examples as bytes: a value v in [lo, hi] is sent as
// round(255·(v − lo)/(hi − lo)), and a byte b stands for lo + b/255·(hi − lo)
// (docs/protocol.md). These two functions are that encoding, for the stream
// and for every API answer that sends examples the same way.

// AppendQuantised appends v mapped from [lo, hi] to bytes 0–255: values
// outside are clipped, NaN gives 0, and an empty range gives all zeros.
func AppendQuantised(dst []byte, v []float32, lo, hi float32) []byte {
	scale := float32(0)
	if hi > lo {
		scale = 255 / (hi - lo)
	}
	for _, x := range v {
		q := (x - lo) * scale
		switch {
		case !(q > 0):
			dst = append(dst, 0)
		case q >= 255:
			dst = append(dst, 255)
		default:
			dst = append(dst, byte(q+0.5))
		}
	}
	return dst
}

// QuantRange is the range to quantise examples over: the dataset's value
// range, widened to hold every finite value of sets (a linear output may
// overshoot it). A range that would be empty or infinite falls back to the
// dataset's own.
func QuantRange(valueRange [2]float32, sets ...[]float32) (lo, hi float32) {
	lo, hi = valueRange[0], valueRange[1]
	for _, set := range sets {
		for _, v := range set {
			if v < lo {
				lo = v
			}
			if v > hi {
				hi = v
			}
		}
	}
	if !(hi > lo) || math.IsInf(float64(hi-lo), 0) {
		return valueRange[0], valueRange[1]
	}
	return lo, hi
}

// quantise is AppendQuantised into a fresh slice.
func quantise(v []float32, lo, hi float32) []byte {
	return AppendQuantised(make([]byte, 0, len(v)), v, lo, hi)
}
