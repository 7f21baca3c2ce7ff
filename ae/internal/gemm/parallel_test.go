package gemm

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
)

// smallBlocks returns a copy of im with tiny cache blocks, so that small
// products take every path big ones do: several k-blocks and several
// super-blocks of the shared operand.
func smallBlocks(im *impl) *impl {
	c := *im
	c.name += "-smallblocks"
	c.kc = 7
	c.l2 = 7 * 2 * max(im.mr, im.nr)
	return &c
}

// TestDeterministicAcrossWorkers checks that the result is bit-for-bit the
// same whatever the number of workers, with helpers forced on however
// small the product.
func TestDeterministicAcrossWorkers(t *testing.T) {
	saved := minHelperWork
	minHelperWork = 1
	defer func() { minHelperWork = saved }()
	// Let up to 7 helpers join even on a 2-CPU machine.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(8, runtime.GOMAXPROCS(0))))
	r := rand.New(rand.NewPCG(5, 6))
	var all []*impl
	for _, im := range impls {
		all = append(all, im, smallBlocks(im))
	}
	shapes := []shape{{64, 256, 784}, {784, 256, 64}, {37, 91, 300}, {300, 45, 61}, {5, 3, 2}}
	if testing.Short() || raceEnabled {
		shapes = []shape{{37, 91, 300}, {300, 45, 61}, {5, 3, 2}}
	}
	for _, im := range all {
		for _, s := range shapes {
			for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				t.Run(fmt.Sprintf("%s/%v/tA=%v,tB=%v", im.name, s, tr[0], tr[1]), func(t *testing.T) {
					a, lda, b, ldb := operands(r, s, tr[0], tr[1], 1)
					c0 := randSlice(r, s.m*s.n)
					var first []float32
					for _, w := range []int{1, 2, 3, 4, 8} {
						got := append([]float32(nil), c0...)
						withImpl(t, im, func() {
							Sgemm(tr[0], tr[1], s.m, s.n, s.k, 1.5, a, lda, b, ldb, 0.5, got, s.n, w)
						})
						if first == nil {
							first = got
							want := append([]float32(nil), c0...)
							reference(tr[0], tr[1], s.m, s.n, s.k, 1.5, a, lda, b, ldb, 0.5, want, s.n)
							mag := abs32(c0)
							reference(tr[0], tr[1], s.m, s.n, s.k, 1.5, abs32(a), lda, abs32(b), ldb, 0.5, mag, s.n)
							checkClose(t, im.name, got, want, mag, s, s.n)
							continue
						}
						for i := range got {
							if got[i] != first[i] {
								t.Fatalf("workers=%d: C[%d] = %v, workers=1 gave %v", w, i, got[i], first[i])
							}
						}
					}
				})
			}
		}
	}
}

// TestNoAllocations checks that warm calls neither allocate nor, by
// implication, map fresh memory.
func TestNoAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	r := rand.New(rand.NewPCG(7, 8))
	for _, im := range impls {
		for _, l := range []layer{{64, 784, 256}, {256, 128, 50}} {
			for _, gc := range layerCases(l) {
				for _, w := range []int{1, 2} {
					a := randSlice(r, 784*256)
					b := randSlice(r, 784*256)
					c := make([]float32, 784*256)
					f := func() {
						Sgemm(gc.transA, gc.transB, gc.m, gc.n, gc.k, 1, a, gc.lda, b, gc.ldb, 0, c, gc.n, w)
					}
					withImpl(t, im, func() {
						f() // warm up: scratch buffers and pool goroutines
						if n := testing.AllocsPerRun(20, f); n != 0 {
							t.Errorf("%s %v %s workers=%d: %v allocations per call", im.name, l, gc.name, w, n)
						}
					})
				}
			}
		}
	}
}

func TestShapePanics(t *testing.T) {
	a := make([]float32, 12)
	cases := []struct {
		name string
		f    func()
	}{
		{"negative m", func() { Sgemm(false, false, -1, 2, 2, 1, a, 2, a, 2, 0, a, 2, 1) }},
		{"lda too small", func() { Sgemm(false, false, 2, 2, 3, 1, a, 2, a, 2, 0, a, 2, 1) }},
		{"lda too small for Aᵀ", func() { Sgemm(true, false, 3, 2, 2, 1, a, 2, a, 2, 0, a, 2, 1) }},
		{"ldb too small for Bᵀ", func() { Sgemm(false, true, 2, 3, 2, 1, a, 2, a, 1, 0, a, 3, 1) }},
		{"ldc too small", func() { Sgemm(false, false, 2, 3, 2, 1, a, 2, a, 3, 0, a, 2, 1) }},
		{"a too short", func() { Sgemm(false, false, 4, 2, 3, 1, a[:11], 3, a, 2, 0, a, 2, 1) }},
		{"c too short", func() { Sgemm(false, false, 3, 4, 1, 1, a, 1, a, 4, 0, a[:11], 4, 1) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tc.f()
		})
	}
}

// TestZeroSizes checks k == 0 (C = beta·C) and alpha == 0, which must not
// read A or B (here: NaN) and must ignore NaN in C when beta is 0.
func TestZeroSizes(t *testing.T) {
	nan := float32(0)
	nan /= nan
	a := []float32{nan, nan, nan, nan}
	for _, tc := range []struct {
		k           int
		alpha, beta float32
		c, want     []float32
	}{
		{0, 1, 0, []float32{nan, 2, 3, 4}, []float32{0, 0, 0, 0}},
		{0, 1, 2, []float32{1, 2, 3, 4}, []float32{2, 4, 6, 8}},
		{2, 0, 0.5, []float32{1, 2, 3, 4}, []float32{0.5, 1, 1.5, 2}},
		{2, 0, 0, []float32{nan, 2, 3, 4}, []float32{0, 0, 0, 0}},
	} {
		Sgemm(false, false, 2, 2, tc.k, tc.alpha, a, max(tc.k, 1), a, 2, tc.beta, tc.c, 2, 2)
		for i := range tc.c {
			if tc.c[i] != tc.want[i] {
				t.Errorf("k=%d alpha=%v beta=%v: C = %v, want %v", tc.k, tc.alpha, tc.beta, tc.c, tc.want)
				break
			}
		}
	}
	Sgemm(false, false, 0, 3, 2, 1, nil, 2, make([]float32, 6), 3, 0, nil, 3, 1) // m == 0: nothing to do
}
