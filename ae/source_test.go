package ae

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

func byteData(n, k int) ([]uint8, []float32) {
	b := make([]uint8, n*k)
	x := make([]float32, n*k)
	for i := range b {
		b[i] = uint8(i*37 + i/k)
		x[i] = float32(b[i]) / 255 // what Bytes{Div: 255} stands for
	}
	return b, x
}

// TestSourceBatcherMatchesFloat checks that a Batcher over a Source hands
// out, batch for batch, what a Batcher over the same data as float32 hands
// out, over all rows and over a list of rows.
func TestSourceBatcherMatchesFloat(t *testing.T) {
	const n, k, batch = 23, 5, 4
	b, x := byteData(n, k)
	src := Bytes{Data: b, Cols: k, Div: 255}
	pairs := map[string][2]*Batcher{
		"all rows":  {NewBatcher(x, n, k, batch, 7), NewSourceBatcher(src, nil, batch, 7)},
		"some rows": {NewBatcherRows(x, k, []int{3, 1, 4, 15, 9, 2, 6}, batch, 7), NewSourceBatcher(src, []int{3, 1, 4, 15, 9, 2, 6}, batch, 7)},
	}
	for name, p := range pairs {
		f, s := p[0], p[1]
		if f.StepsPerEpoch() != s.StepsPerEpoch() {
			t.Fatalf("%s: StepsPerEpoch %d vs %d", name, f.StepsPerEpoch(), s.StepsPerEpoch())
		}
		for step := 0; step < 3*f.StepsPerEpoch()+1; step++ {
			fx, fn := f.Next()
			sx, sn := s.Next()
			if fn != sn || !slices.Equal(fx, sx) || !slices.Equal(f.Rows(), s.Rows()) || f.Epoch() != s.Epoch() {
				t.Fatalf("%s, step %d: float batch %v (%d rows), source batch %v (%d rows)", name, step, fx, fn, sx, sn)
			}
		}
	}
	mustPanic(t, "row 23 is outside", func() { NewSourceBatcher(src, []int{0, 23}, batch, 1) })
	mustPanic(t, "batch = 0", func() { NewSourceBatcher(src, nil, 0, 1) })
	mustPanic(t, "1 rows listed", func() { NewSourceBatcher(Bytes{Cols: k, Div: 255}, []int{0}, batch, 1) })
}

// TestSourceBatcherZeroAllocs checks that gathering and converting a batch
// from a Source, and training on it, does not allocate.
func TestSourceBatcherZeroAllocs(t *testing.T) {
	c := smallConfig()
	c.Sizes, c.Bottleneck, c.BatchSize = []int{32, 16, 4, 16, 32}, 2, 16
	m := mustNew(t, c)
	b, _ := byteData(300, 32)
	bt := NewSourceBatcher(Bytes{Data: b, Cols: 32, Div: 255}, nil, 16, 1)
	if a := testing.AllocsPerRun(50, func() {
		batch, n := bt.Next()
		m.TrainStep(batch, nil, n)
	}); a != 0 {
		t.Errorf("Batcher.Next over a Source + TrainStep: %v allocations per call", a)
	}
}

// TestBytesKernelsMatchGo checks the byte-to-float32 kernels against the
// Go loop, bit for bit, for every byte value, several divisors and lengths
// around the vector widths, and Bytes' rows against float32(v)/Div.
func TestBytesKernelsMatchGo(t *testing.T) {
	if len(vectorLevels()) == 0 {
		t.Skip("no vector kernels on this machine or build (the Go loop is all there is)")
	}
	src := make([]uint8, 0, 1100)
	for i := range 1100 {
		src = append(src, uint8(i*131+i/256))
	}
	for _, div := range []float32{255, 1, 3, 0.5, 7.3, 1e-30} {
		for _, n := range append(kernelLengths, 256, 1100) {
			compareLevels(t, fmt.Sprintf("bytes/%g %d", div, n), func() ([][]float32, float64) {
				dst := make([]float32, n)
				bytesToFloat(dst, src[:n], div)
				return [][]float32{dst}, 0
			})
		}
	}
	b := Bytes{Data: src[:1024], Cols: 256, Div: 255}
	row := make([]float32, 256)
	for i := range 4 {
		b.ReadRow(row, i)
		for j, v := range row {
			if want := float32(src[i*256+j]) / 255; math.Float32bits(v) != math.Float32bits(want) {
				t.Fatalf("row %d value %d: %v, want %v", i, j, v, want)
			}
		}
	}
	if got := b.Rows(make([]float32, 600), 1, 2); len(got) != 512 || got[0] != float32(src[256])/255 {
		t.Errorf("Rows(1, 2): len %d, first %v", len(got), got[0])
	}
}

// BenchmarkGatherBatch gathers a batch of 64 random MNIST-sized rows, as
// Batcher.Next does, from float32 (copied) and from bytes (converted).
func BenchmarkGatherBatch(b *testing.B) {
	const n, k = 2000, 784
	raw, x := byteData(n, k)
	for name, bt := range map[string]*Batcher{
		"float32": NewBatcher(x, n, k, 64, 1),
		"bytes":   NewSourceBatcher(Bytes{Data: raw, Cols: k, Div: 255}, nil, 64, 1),
	} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(64 * k * 4)
			for b.Loop() {
				bt.Next()
			}
		})
	}
}
