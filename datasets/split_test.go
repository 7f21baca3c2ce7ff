package datasets

import (
	"slices"
	"strings"
	"testing"
)

// allValues returns every value of s, a copy.
func allValues(s Split) []float32 { return s.AppendRows(nil, 0, s.N) }

// byteAndFloatSplits returns the same 3×4 data kept as bytes and as float32.
func byteAndFloatSplits() (bytes, floats Split) {
	b := []uint8{0, 255, 51, 102, 1, 2, 3, 4, 250, 128, 0, 7}
	x := make([]float32, len(b))
	for i, v := range b {
		x[i] = float32(v) / 255
	}
	labels := []int{0, 1, -1}
	return NewByteSplit(b, 255, labels, 4), NewSplit(x, labels, 4)
}

// TestSplitReadsBytesAsFloat checks that every way of reading a split of
// bytes gives the float32 values of the same data kept as float32, and that
// float32 splits are read without copying.
func TestSplitReadsBytesAsFloat(t *testing.T) {
	bs, fs := byteAndFloatSplits()
	if b, div, ok := bs.Bytes(); !ok || div != 255 || &b[0] != &bs.b[0] || bs.Stored() != 12 {
		t.Fatalf("bytes: %v, %v, %v; stored %d", b, div, ok, bs.Stored())
	}
	if _, _, ok := fs.Bytes(); ok || fs.Stored() != 48 {
		t.Fatalf("float32 split says it keeps bytes, or stores %d bytes", fs.Stored())
	}
	if n, k := bs.Dims(); n != 3 || k != 4 || bs.Features() != 4 {
		t.Fatalf("Dims = %d, %d", n, k)
	}
	want := fs.x
	if got := allValues(bs); !slices.Equal(got, want) {
		t.Fatalf("AppendRows = %v, want %v", got, want)
	}
	if got := bs.Rows(make([]float32, 8), 1, 2); !slices.Equal(got, want[4:12]) {
		t.Errorf("Rows(1, 2) = %v, want %v", got, want[4:12])
	}
	if got := fs.Rows(nil, 1, 2); &got[0] != &fs.x[4] || len(got) != 8 || cap(got) != 8 {
		t.Errorf("Rows of a float32 split copied or over-reached: len %d cap %d", len(got), cap(got))
	}
	if got := bs.Rows(make([]float32, 3), 0, 2); !slices.Equal(got, want[:8]) {
		t.Errorf("Rows into a short dst = %v, want a new slice of %v", got, want[:8])
	}
	for _, s := range []Split{bs, fs} {
		h := s.Head(2)
		if n, k := h.Dims(); n != 2 || k != 4 || len(h.Labels) != 2 || !slices.Equal(allValues(h), want[:8]) || h.Stored() != s.Stored()*2/3 {
			t.Errorf("Head(2) = %d×%d, labels %v, values %v", n, k, h.Labels, allValues(h))
		}
	}
	row := make([]float32, 5)
	for i := range 3 {
		bs.ReadRow(row, i)
		if !slices.Equal(row[:4], want[i*4:(i+1)*4]) || row[4] != 0 {
			t.Errorf("ReadRow(%d) = %v", i, row)
		}
	}
	if got := bs.AppendRows([]float32{-1}, 2, 1); !slices.Equal(got, append([]float32{-1}, want[8:]...)) {
		t.Errorf("AppendRows onto a prefix = %v", got)
	}
	if a := testing.AllocsPerRun(10, func() { bs.ReadRow(row, 1); bs.Rows(row[:4], 2, 1) }); a != 0 {
		t.Errorf("ReadRow and Rows allocate: %v", a)
	}
	for name, f := range map[string]func(){
		"Rows past the end":  func() { bs.Rows(make([]float32, 8), 2, 2) },
		"ReadRow negative":   func() { bs.ReadRow(row, -1) },
		"Head past the end":  func() { bs.Head(4) },
		"NewSplit bad shape": func() { NewSplit(make([]float32, 5), []int{0, 0}, 2) },
		"NewByteSplit div 0": func() { NewByteSplit(make([]uint8, 4), 0, []int{0, 0}, 2) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			f()
		}()
	}
}

// TestValidateByteSplit checks Validate on data kept as bytes: a level
// outside the value range is reported at its first example.
func TestValidateByteSplit(t *testing.T) {
	bs, _ := byteAndFloatSplits()
	d := &Dataset{Name: "b", Features: 4, Shape: Shape{4, 1}, ClassNames: []string{"a", "b"},
		ValueRange: [2]float32{0, 1}, Train: bs, Test: bs}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	d.ValueRange = [2]float32{0, 0.5} // byte 128 stands for 0.502
	d.Train = NewByteSplit([]uint8{0, 1, 2, 3}, 255, []int{0}, 4)
	d.Test = NewByteSplit([]uint8{0, 1, 2, 3, 4, 128, 5, 200}, 255, []int{0, 1}, 4)
	if err := d.Validate(); err == nil || !strings.Contains(err.Error(), "test split: value 0.5019608 at example 1, feature 1") {
		t.Errorf("got %v", err)
	}
}

// BenchmarkReadRows gathers a batch of 64 MNIST-sized rows, as a Batcher
// does, from bytes (converted) and from float32 (copied).
func BenchmarkReadRows(b *testing.B) {
	const n, k, batch = 1000, 784, 64
	raw := make([]uint8, n*k)
	for i := range raw {
		raw[i] = uint8(i * 7)
	}
	bs := NewByteSplit(raw, 255, make([]int, n), k)
	fs := NewSplit(allValues(bs), make([]int, n), k)
	dst := make([]float32, batch*k)
	for name, s := range map[string]Split{"bytes": bs, "float32": fs} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(batch * k * 4)
			r := 0
			for b.Loop() {
				for i := range batch {
					s.ReadRow(dst[i*k:(i+1)*k], r)
					r = (r + 389) % n
				}
			}
		})
	}
}
