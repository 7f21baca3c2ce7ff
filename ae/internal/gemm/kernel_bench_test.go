package gemm

import "testing"

// BenchmarkMicroKernel measures the fastest implementation's full-tile
// kernel alone on cache-resident panels: the ceiling for Sgemm.
func BenchmarkMicroKernel(b *testing.B) {
	im := impls[0]
	const kc = 256
	a := make([]float32, kc*im.mr)
	bp := make([]float32, kc*im.nr)
	c := make([]float32, im.mr*im.nr)
	for i := range a {
		a[i] = 1
	}
	for b.Loop() {
		im.tile(im.mr, im.nr, kc, a, bp, c, im.nr, 1, 1, true)
	}
	b.ReportMetric(2*float64(im.mr*im.nr*kc)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
