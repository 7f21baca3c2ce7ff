package analysis

import "math"

// MSE returns the mean squared error between a and b, (1/K)·Σ(aᵢ−bᵢ)²,
// accumulated in float64. It panics if the lengths differ or are zero.
func MSE(a, b []float32) float64 {
	checkSameLen("MSE", a, b)
	if len(a) == 0 {
		panicf("MSE: empty slices")
	}
	b = b[:len(a)]
	var sum float64
	for i, v := range a {
		e := float64(v) - float64(b[i])
		sum += e * e
	}
	return sum / float64(len(a))
}

// RowMSE writes to dst (length n) the MSE of each of the n rows of a and b
// (n×k each) and returns dst; a nil dst is allocated. The per-example
// reconstruction error is the anomaly score of the anomaly-detection lab. It
// panics on shape misuse or if k < 1.
func RowMSE(dst []float64, a, b []float32, n, k int) []float64 {
	if k < 1 {
		panicf("RowMSE: k = %d; want k ≥ 1", k)
	}
	checkLen("RowMSE", "a", a, n, k)
	checkLen("RowMSE", "b", b, n, k)
	if dst == nil {
		dst = make([]float64, n)
	}
	checkLen("RowMSE", "dst", dst, n, 1)
	for i := range dst {
		dst[i] = MSE(a[i*k:(i+1)*k], b[i*k:(i+1)*k])
	}
	return dst
}

// PSNR returns the peak signal-to-noise ratio of b against a in decibels,
// 10·log₁₀(peak²/MSE(a, b)), where peak is the largest possible value minus
// the smallest (1 for images in [0, 1], 255 for bytes). Higher is better: each
// halving of the error adds about 3 dB. It is +Inf when a and b are
// identical. It panics if peak is not a finite number > 0 or as MSE does.
func PSNR(a, b []float32, peak float64) float64 {
	checkPeak("PSNR", peak)
	return psnr(MSE(a, b), peak)
}

// MeanPSNR returns the mean over the n ≥ 1 rows of a and b (n×k each) of the
// PSNR of each row, the usual way to report the quality of a set of images.
// It is +Inf if any row is reproduced exactly. It panics on shape misuse or as
// PSNR does.
func MeanPSNR(a, b []float32, n, k int, peak float64) float64 {
	checkPeak("MeanPSNR", peak)
	if n < 1 || k < 1 {
		panicf("MeanPSNR: %d×%d matrices; want n ≥ 1 and k ≥ 1", n, k)
	}
	checkLen("MeanPSNR", "a", a, n, k)
	checkLen("MeanPSNR", "b", b, n, k)
	var sum float64
	for i := 0; i < n; i++ {
		sum += psnr(MSE(a[i*k:(i+1)*k], b[i*k:(i+1)*k]), peak)
	}
	return sum / float64(n)
}

// psnr converts a mean squared error to decibels.
func psnr(mse, peak float64) float64 {
	if mse == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(peak*peak/mse)
}

// checkPeak panics unless peak is a finite number > 0.
func checkPeak(op string, peak float64) {
	if !(peak > 0) || math.IsInf(peak, 1) {
		panicf("%s: peak = %g; want a finite value > 0 (the width of the value range)", op, peak)
	}
}
