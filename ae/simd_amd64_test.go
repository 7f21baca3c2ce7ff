//go:build !purego

package ae

import (
	"os"
	"testing"
)

// TestVectorLevelsChecked says which vector levels this run checks bit for
// bit against the Go loops (the *MatchGo tests run every level in
// vectorLevels). The AVX-512 subtest skips with that message on a CPU
// without AVX-512F: those kernels are checked only where the runner has
// it. The AVX2 one must run under CI (CI set).
func TestVectorLevelsChecked(t *testing.T) {
	have := detectSIMD()
	for _, lv := range []simdLevel{simdAVX512, simdAVX2} {
		t.Run(lv.String(), func(t *testing.T) {
			if have < lv {
				msg := "this CPU or OS lacks " + map[simdLevel]string{simdAVX512: "AVX-512F", simdAVX2: "AVX2 and FMA"}[lv] +
					": the " + lv.String() + " kernels' bit-identity with the Go loops is not checked in this run"
				if lv == simdAVX2 && os.Getenv("CI") != "" {
					t.Fatal(msg + "; CI must check them (CI is set)")
				}
				t.Skip(msg)
			}
			t.Logf("the %s kernels are checked bit for bit against the Go loops in this run", lv)
		})
	}
}
