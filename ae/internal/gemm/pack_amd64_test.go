//go:build !purego

package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestPackMatchesGo compares the AVX-512 and AVX2 packing routines with
// the Go ones on panels of every height and width up to the kernel's, odd
// k, and checks that nothing is written past the panel.
func TestPackMatchesGo(t *testing.T) {
	for _, im := range impls {
		if im != goImpl {
			t.Run(im.name, func(t *testing.T) { testPack(t, im) })
		}
	}
}

func testPack(t *testing.T, im *impl) {
	r := rand.New(rand.NewPCG(9, 10))
	const guard = 17
	src := randSlice(r, 80*80)
	for _, kc := range []int{1, 5, 16, 17, 40} {
		for _, trans := range []bool{false, true} {
			for mr := 1; mr <= im.mr; mr++ {
				ld := 40 + mr%3
				want := make([]float32, kc*mr+guard)
				got := make([]float32, kc*mr+guard)
				for i := range got {
					got[i], want[i] = -1, -1
				}
				packAGo(want, src, ld, trans, 3, mr, 2, kc)
				im.packA(got, src, ld, trans, 3, mr, 2, kc)
				compare(t, fmt.Sprintf("packA trans=%v mr=%d kc=%d", trans, mr, kc), got, want)
			}
			for nr := 1; nr <= im.nr; nr++ {
				w := im.padded(nr)
				ld := 40 + nr%3
				want := make([]float32, kc*w+guard)
				got := make([]float32, kc*w+guard)
				for i := range got {
					got[i], want[i] = -1, -1
				}
				packBGo(want, src, ld, trans, 2, kc, 3, nr, w)
				im.packB(got, src, ld, trans, 2, kc, 3, nr, w)
				compare(t, fmt.Sprintf("packB trans=%v nr=%d kc=%d", trans, nr, kc), got, want)
			}
		}
	}
}

func compare(t *testing.T, label string, got, want []float32) {
	t.Helper()
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: [%d] = %v, want %v", label, i, got[i], want[i])
		}
	}
}
