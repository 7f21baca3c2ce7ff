//go:build !purego

package gemm

import (
	"errors"
	"os"
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

// TestCPUFeatures checks CPUID detection against the kernel's view of the
// CPU, where it is available.
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
