package datasets

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/aelab/aelab/internal/cputime"
)

func TestMNIST(t *testing.T) {
	start := time.Now()
	d, err := LoadMNIST()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("MNIST ready in %v (decoded by the first caller in this process)", time.Since(start))
	if d.Name != "mnist" || d.Features != 784 || d.Shape != (Shape{28, 28}) || !d.Shape.IsImage() {
		t.Fatalf("got %q, %d features, shape %v", d.Name, d.Features, d.Shape)
	}
	if d.Train.N != 60000 || d.Test.N != 10000 {
		t.Fatalf("sizes %d/%d, want 60000/10000", d.Train.N, d.Test.N)
	}
	if !slices.Equal(d.ClassNames, digitNames) || d.ValueRange != [2]float32{0, 1} || d.Source != SourceEmbedded {
		t.Fatalf("classes %v, range %v, source %v", d.ClassNames, d.ValueRange, d.Source)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	// Known facts about the original files.
	if d.Train.Labels[0] != 5 || d.Test.Labels[0] != 7 {
		t.Errorf("first labels %d (train), %d (test); want 5, 7", d.Train.Labels[0], d.Test.Labels[0])
	}
	counts := make([]int, 10)
	for _, l := range d.Train.Labels {
		counts[l]++
	}
	if want := []int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}; !slices.Equal(counts, want) {
		t.Errorf("training label counts %v, want %v", counts, want)
	}
	// The images are kept as their bytes (one copy, shared), a quarter of
	// float32's memory.
	for _, s := range []Split{d.Train, d.Test} {
		if b, div, ok := s.Bytes(); !ok || div != 255 || len(b) != s.N*784 || s.Stored() != s.N*784 {
			t.Fatalf("MNIST is not kept as bytes of v/255: %v, %d bytes, stores %d", ok, len(b), s.Stored())
		}
	}
	sum, lo, hi := 0.0, float32(1), float32(0)
	all := allValues(d.Train)
	for _, v := range all {
		sum += float64(v)
		lo, hi = min(lo, v), max(hi, v)
	}
	if mean := sum / float64(len(all)); math.Abs(mean-0.1307) > 0.0005 {
		t.Errorf("mean training pixel %.5f, want ≈ 0.1307", mean)
	}
	if lo != 0 || hi != 1 {
		t.Errorf("pixel range [%g,%g], want [0,1]", lo, hi)
	}
	// Row 0, image row 14 of the first training digit (a 5) is mostly ink.
	row := d.Train.Row(0)[14*28 : 15*28]
	if ink := countAbove(row, 0.5); ink < 3 {
		t.Errorf("first digit, middle row: %d bright pixels: %v", ink, row)
	}
	if top := countAbove(d.Train.Row(0)[:28], 0); top != 0 {
		t.Errorf("first digit, top row has %d non-zero pixels", top)
	}
	// Decoding again returns the shared copy.
	again, err := LoadMNIST()
	if err != nil || again != d {
		t.Errorf("second LoadMNIST returned a different dataset (%p vs %p) or %v", again, d, err)
	}
}

func countAbove(x []float32, v float32) int {
	n := 0
	for _, p := range x {
		if p > v {
			n++
		}
	}
	return n
}

// TestMNISTDecodeTime measures a fresh decode (the shared copy is left
// alone) in CPU time, which other load on the machine barely changes (wall
// time on a shared CI runner can be several times longer). It is skipped
// under the race detector, which slows decompression ten-fold.
// BenchmarkDecodeMNIST gives the figure.
func TestMNISTDecodeTime(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("timing is meaningless under -race or -short")
	}
	cpu0, ok := cputime.Process()
	if !ok {
		t.Skip("no CPU time on this system")
	}
	start := time.Now()
	d, err := decodeMNIST()
	if err != nil {
		t.Fatal(err)
	}
	cpu1, _ := cputime.Process()
	t.Logf("MNIST decode: %v of CPU (%v of wall time)", cpu1-cpu0, time.Since(start))
	if d.Train.N != 60000 || d.Test.N != 10000 {
		t.Fatal("bad decode")
	}
	if used := cpu1 - cpu0; used > 2*time.Second {
		t.Errorf("decoding MNIST took %v of CPU, want at most 2 s (about half a second on an idle core)", used)
	}
}

// BenchmarkDecodeMNIST decodes the embedded MNIST files afresh.
func BenchmarkDecodeMNIST(b *testing.B) {
	for b.Loop() {
		if _, err := decodeMNIST(); err != nil {
			b.Fatal(err)
		}
	}
}
