package gemm

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// layer is an autoencoder layer: a batch of `batch` inputs of width in
// mapped to width out. Its forward and backward passes are three products
// with the same 2·batch·in·out flops:
//
//	NN forward         Z  = X·W      m=batch n=out k=in
//	TN weight gradient dW = Xᵀ·dZ    m=in    n=out k=batch
//	NT input gradient  dX = dZ·Wᵀ    m=batch n=in  k=out
type layer struct{ batch, in, out int }

var benchLayers = []layer{
	{64, 784, 256}, {256, 512, 784}, {256, 784, 512}, {64, 256, 128}, {256, 128, 50}, {64, 128, 32},
}

type gemmCase struct {
	name           string
	transA, transB bool
	m, n, k        int
	lda, ldb       int
}

func layerCases(l layer) []gemmCase {
	return []gemmCase{
		{"NN", false, false, l.batch, l.out, l.in, l.in, l.out},
		{"TN", true, false, l.in, l.out, l.batch, l.in, l.out},
		{"NT", false, true, l.batch, l.in, l.out, l.out, l.out},
	}
}

func BenchmarkSgemm(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, l := range benchLayers {
		for _, gc := range layerCases(l) {
			a := randSlice(r, 784*784)
			bb := randSlice(r, 784*784)
			c := randSlice(r, 784*784)
			flops := 2 * float64(gc.m*gc.n*gc.k)
			for _, w := range []int{1, 2} {
				b.Run(fmt.Sprintf("%dx%dx%d/%s/w=%d", l.batch, l.in, l.out, gc.name, w), func(b *testing.B) {
					var t timer
					for b.Loop() {
						t.start()
						Sgemm(gc.transA, gc.transB, gc.m, gc.n, gc.k, 1, a, gc.lda, bb, gc.ldb, 0, c, gc.n, w)
						t.stop()
					}
					t.report(b, flops)
				})
			}
			b.Run(fmt.Sprintf("%dx%dx%d/%s/gonum", l.batch, l.in, l.out, gc.name), func(b *testing.B) {
				ta, tb := blas.NoTrans, blas.NoTrans
				ar, ac, br, bc := gc.m, gc.k, gc.k, gc.n
				if gc.transA {
					ta, ar, ac = blas.Trans, gc.k, gc.m
				}
				if gc.transB {
					tb, br, bc = blas.Trans, gc.n, gc.k
				}
				ga := blas32.General{Rows: ar, Cols: ac, Stride: gc.lda, Data: a}
				gb := blas32.General{Rows: br, Cols: bc, Stride: gc.ldb, Data: bb}
				gcm := blas32.General{Rows: gc.m, Cols: gc.n, Stride: gc.n, Data: c}
				var t timer
				for b.Loop() {
					t.start()
					blas32.Gemm(ta, tb, 1, ga, gb, 0, gcm)
					t.stop()
				}
				t.report(b, flops)
			})
		}
	}
}

// timer records the duration of each call of a benchmark loop. Besides
// the usual mean it reports the median call as GFLOP/s: the machine is
// shared with other jobs, and the median shrugs off the calls they slow.
type timer struct {
	t0 time.Time
	d  []time.Duration
}

func (t *timer) start() { t.t0 = time.Now() }

func (t *timer) stop() {
	if len(t.d) < 1<<16 {
		t.d = append(t.d, time.Since(t.t0))
	}
}

func (t *timer) report(b *testing.B, flops float64) {
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	if len(t.d) > 0 {
		slices.Sort(t.d)
		b.ReportMetric(flops/t.d[len(t.d)/2].Seconds()/1e9, "p50-GFLOP/s")
	}
}

// BenchmarkImpl compares the implementations this CPU can run (forced, as
// the tests do) on one autoencoder layer, single-threaded.
func BenchmarkImpl(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	a := randSlice(r, 784*784)
	bb := randSlice(r, 784*784)
	c := randSlice(r, 784*784)
	l := layer{64, 784, 256}
	for _, im := range impls {
		for _, gc := range layerCases(l) {
			flops := 2 * float64(gc.m*gc.n*gc.k)
			b.Run(fmt.Sprintf("%s/%dx%dx%d/%s", im.name, l.batch, l.in, l.out, gc.name), func(b *testing.B) {
				withImpl(b, im, func() {
					var t timer
					for b.Loop() {
						t.start()
						Sgemm(gc.transA, gc.transB, gc.m, gc.n, gc.k, 1, a, gc.lda, bb, gc.ldb, 0, c, gc.n, 1)
						t.stop()
					}
					t.report(b, flops)
				})
			})
		}
	}
}
