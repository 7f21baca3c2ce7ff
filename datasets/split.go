package datasets

import (
	"fmt"
	"math"
	"slices"
)

// Split is one part (training or test) of a dataset: N examples of K values
// each, row-major. The values are kept as float32, or, for sets whose values
// are 256 levels (the grey levels of MNIST and Fashion-MNIST), as bytes v
// standing for v/div: a quarter of the memory, shared by every training on
// the set. Either way they are read as float32 through Rows, ReadRow and
// AppendRows, so callers need not know which; Bytes gives the bytes to code
// that converts them faster (the engine's ae.Bytes).
//
// A Split is a small value that refers to its data; copies share it. Splits
// of a registry's datasets must not be modified.
type Split struct {
	// Labels[i] is the class index of example i (an index into
	// Dataset.ClassNames), or −1 when the example is unlabelled.
	Labels []int
	// N is the number of examples.
	N int

	k      int
	x      []float32     // float32 values, or nil
	b      []uint8       // byte values, or nil
	div    float32       // byte v stands for float32(v)/div
	levels *[256]float32 // float32(v)/div for every byte v
}

// NewSplit returns the split of the len(labels) examples whose k values each
// are the rows of x (row-major, len(x) = len(labels)·k). It keeps x, not a
// copy. It panics on shape misuse.
func NewSplit(x []float32, labels []int, k int) Split {
	checkSplit("NewSplit", len(x), len(labels), k)
	return Split{Labels: labels, N: len(labels), k: k, x: x}
}

// NewByteSplit returns the split of the len(labels) examples whose k values
// each are float32(v)/div for the bytes v of b (row-major, len(b) =
// len(labels)·k). It keeps b, not a copy. It panics on shape misuse or a
// divisor that is not positive and finite.
func NewByteSplit(b []uint8, div float32, labels []int, k int) Split {
	checkSplit("NewByteSplit", len(b), len(labels), k)
	if !(div > 0) || math.IsInf(float64(div), 1) {
		panic(fmt.Sprintf("datasets: NewByteSplit: divisor %g; want a positive finite number", div))
	}
	levels := new([256]float32)
	for v := range levels {
		levels[v] = float32(v) / div
	}
	return Split{Labels: labels, N: len(labels), k: k, b: b, div: div, levels: levels}
}

func checkSplit(op string, values, n, k int) {
	if k < 1 || values != n*k {
		panic(fmt.Sprintf("datasets: %s: %d values for %d examples of %d features", op, values, n, k))
	}
}

// Features returns K, the number of values of one example.
func (s Split) Features() int { return s.k }

// Dims returns the number of examples and of values per example, N and K.
func (s Split) Dims() (rows, cols int) { return s.N, s.k }

// Stored returns how many bytes the values take in memory.
func (s Split) Stored() int { return 4*len(s.x) + len(s.b) }

// Bytes returns the values as kept when they are bytes: example i is
// b[i·K : (i+1)·K], byte v standing for float32(v)/div. ok is false when
// the split keeps float32 values. The bytes must not be modified.
func (s Split) Bytes() (b []uint8, div float32, ok bool) { return s.b, s.div, s.levels != nil }

// Head returns the split of the first n examples of s, sharing its data.
// It panics if n is negative or above N.
func (s Split) Head(n int) Split {
	s.checkRange("Head", 0, n)
	h := s
	h.N, h.Labels = n, s.Labels[:n:n]
	if s.levels == nil {
		h.x = s.x[: n*s.k : n*s.k]
	} else {
		h.b = s.b[: n*s.k : n*s.k]
	}
	return h
}

// Rows returns examples [from, from+n) as n×K float32 values. When the split
// keeps float32 values the result is a sub-slice of them and dst is not
// used; when it keeps bytes they are converted into dst if it holds n×K
// values, else into a new slice. Either way the caller must not modify the
// result. It panics if the range is outside the split.
func (s Split) Rows(dst []float32, from, n int) []float32 {
	s.checkRange("Rows", from, n)
	lo, hi := from*s.k, (from+n)*s.k
	if s.levels == nil {
		return s.x[lo:hi:hi]
	}
	if len(dst) < hi-lo {
		dst = make([]float32, hi-lo)
	}
	dst = dst[:hi-lo]
	convert(dst, s.b[lo:hi], s.levels)
	return dst
}

// ReadRow copies example i into dst[:K] as float32 values. It does not
// allocate; it panics if i is out of range or dst is too short. With Dims
// it makes a Split an ae.Source, which a Batcher gathers batches from.
func (s Split) ReadRow(dst []float32, i int) {
	s.checkRange("ReadRow", i, 1)
	k := s.k
	dst = dst[:k]
	if s.levels == nil {
		copy(dst, s.x[i*k:(i+1)*k])
		return
	}
	convert(dst, s.b[i*k:(i+1)*k], s.levels)
}

// Row returns a copy of example i as float32 values (a new slice: use
// ReadRow or Rows where that matters). It panics if i is out of range.
func (s Split) Row(i int) []float32 {
	if i < 0 || i >= s.N {
		panic(fmt.Sprintf("datasets: row %d out of range [0,%d)", i, s.N))
	}
	return s.AppendRows(make([]float32, 0, s.k), i, 1)
}

// AppendRows appends examples [from, from+n) to dst as float32 values (a
// copy, which the caller may modify) and returns the extended slice.
func (s Split) AppendRows(dst []float32, from, n int) []float32 {
	s.checkRange("AppendRows", from, n)
	if s.levels == nil {
		return append(dst, s.x[from*s.k:(from+n)*s.k]...)
	}
	m := len(dst)
	dst = slices.Grow(dst, n*s.k)[:m+n*s.k]
	s.Rows(dst[m:], from, n)
	return dst
}

func (s Split) checkRange(op string, from, n int) {
	if from < 0 || n < 0 || from+n > s.N {
		panic(fmt.Sprintf("datasets: %s: examples [%d,%d) out of range [0,%d)", op, from, from+n, s.N))
	}
}

// convert writes levels[v] for each byte v of src to dst (len(dst) =
// len(src)).
func convert(dst []float32, src []uint8, levels *[256]float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = levels[v]
	}
}

// checkValues reports the first value of s that is NaN or outside [lo, hi],
// as an example index and a feature index (ok false when there is none).
func (s Split) checkValues(lo, hi float32) (v float32, example, feature int, bad bool) {
	outside := func(v float32) bool { return math.IsNaN(float64(v)) || v < lo || v > hi }
	if s.levels != nil {
		var badByte [256]bool
		any := false
		for b, v := range s.levels {
			badByte[b] = outside(v)
			any = any || badByte[b]
		}
		if !any {
			return 0, 0, 0, false
		}
		for i, b := range s.b {
			if badByte[b] {
				return s.levels[b], i / s.k, i % s.k, true
			}
		}
		return 0, 0, 0, false
	}
	for i, v := range s.x {
		if outside(v) {
			return v, i / s.k, i % s.k, true
		}
	}
	return 0, 0, 0, false
}
