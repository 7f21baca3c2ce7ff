package analysis

import (
	"math"
	"slices"
	"testing"
)

func TestMSEAndPSNR(t *testing.T) {
	a := []float32{0, 0.5, 1, 0.25}
	if got := PSNR(a, slices.Clone(a), 1); !math.IsInf(got, 1) {
		t.Errorf("PSNR of identical images = %g; want +Inf", got)
	}
	b := []float32{0.1, 0.4, 0.9, 0.35} // every value off by 0.1
	if got := MSE(a, b); !near(got, 0.01, 1e-9) {
		t.Errorf("MSE = %g; want 0.01", got)
	}
	// 10·log₁₀(1/0.01) = 20 dB; halving the error amplitude adds 6 dB.
	if got := PSNR(a, b, 1); !near(got, 20, 1e-6) {
		t.Errorf("PSNR = %g dB; want 20", got)
	}
	// Bytes off by 1 everywhere: 10·log₁₀(255²) = 48.13 dB.
	x := []float32{0, 10, 200, 255}
	y := []float32{1, 9, 201, 254}
	if got, want := PSNR(x, y, 255), 20*math.Log10(255); !near(got, want, 1e-9) {
		t.Errorf("PSNR = %g dB; want %g", got, want)
	}
	// Symmetric in its arguments.
	if PSNR(a, b, 1) != PSNR(b, a, 1) {
		t.Error("PSNR is not symmetric")
	}
}

func TestRowMSEAndMeanPSNR(t *testing.T) {
	// Row 0 off by 0.1 (20 dB), row 1 off by 0.01 (40 dB), row 2 off by 0.001 (60 dB).
	clean := []float32{0.5, 0.5, 0.5, 0.5, 0.5, 0.5}
	noisy := []float32{0.6, 0.4, 0.51, 0.49, 0.501, 0.499}
	mse := RowMSE(nil, clean, noisy, 3, 2)
	for i, want := range []float64{1e-2, 1e-4, 1e-6} {
		if !near(mse[i], want, want*1e-4) {
			t.Errorf("row %d MSE = %g; want %g", i, mse[i], want)
		}
	}
	if got := MeanPSNR(clean, noisy, 3, 2, 1); !near(got, 40, 1e-3) {
		t.Errorf("mean PSNR = %g; want (20+40+60)/3 = 40", got)
	}
	dst := make([]float64, 3)
	if got := RowMSE(dst, clean, noisy, 3, 2); &got[0] != &dst[0] {
		t.Error("RowMSE did not use dst")
	}
	if got := MeanPSNR(clean, clean, 3, 2, 1); !math.IsInf(got, 1) {
		t.Errorf("mean PSNR of identical rows = %g; want +Inf", got)
	}
}

func TestPSNRPanics(t *testing.T) {
	mustPanic(t, "different lengths", func() { MSE(make([]float32, 2), make([]float32, 3)) })
	mustPanic(t, "empty", func() { MSE(nil, nil) })
	mustPanic(t, "peak", func() { PSNR(make([]float32, 2), make([]float32, 2), 0) })
	mustPanic(t, "len(b)", func() { MeanPSNR(make([]float32, 6), make([]float32, 5), 3, 2, 1) })
}
