//go:build !purego

package gemm

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

// cpuinfoFlags returns the CPU flags Linux lists in /proc/cpuinfo.
func cpuinfoFlags() (map[string]bool, error) {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(name) == "flags" {
			m := map[string]bool{}
			for _, f := range strings.Fields(value) {
				m[f] = true
			}
			return m, nil
		}
	}
	return nil, errors.New("no flags line in /proc/cpuinfo")
}

// TestCPUFeatures checks the detection (golang.org/x/sys/cpu) against the
// kernel's view of the CPU, where it is available.
func TestCPUFeatures(t *testing.T) {
	flags, err := cpuinfoFlags()
	if err != nil {
		t.Skip(err)
	}
	avx2FMA, avx512 := cpuFeatures()
	if want := flags["avx2"] && flags["fma"]; avx2FMA != want {
		t.Errorf("avx2+fma detected %v, /proc/cpuinfo says %v", avx2FMA, want)
	}
	if want := flags["avx512f"]; avx512 != want {
		t.Errorf("avx512f detected %v, /proc/cpuinfo says %v", avx512, want)
	}
	t.Logf("implementations: %d, fastest %s", len(impls), impls[0].name)
}

// TestKernelsChecked says which SIMD implementations this run checks: the
// other tests compare every implementation in impls with the reference, so
// an implementation this CPU lacks is not checked here. The AVX-512
// subtest skips with that message on a CPU without AVX-512F (its kernels
// are checked only where the runner has it); the AVX2 one must run under
// CI (CI set), since the AVX2+FMA kernels are what most machines use.
func TestKernelsChecked(t *testing.T) {
	avx2FMA, avx512 := cpuFeatures()
	for _, c := range []struct {
		im  *impl
		has bool
		why string
	}{
		{avx512Impl, avx512, "this CPU or OS lacks AVX-512F: the AVX-512 kernels are not checked in this run (only where the runner has AVX-512)"},
		{avx2Impl, avx2FMA, "this CPU or OS lacks AVX2 and FMA: the AVX2 kernels are not checked in this run"},
	} {
		t.Run(c.im.name, func(t *testing.T) {
			listed := slices.Contains(impls, c.im)
			if listed != c.has {
				t.Fatalf("%s: detected %v but listed in impls %v", c.im.name, c.has, listed)
			}
			if !c.has {
				if c.im == avx2Impl && os.Getenv("CI") != "" {
					t.Fatal(c.why + "; CI must run them (CI is set)")
				}
				t.Skip(c.why)
			}
			t.Logf("%s kernels are checked against the reference in this run", c.im.name)
		})
	}
}
