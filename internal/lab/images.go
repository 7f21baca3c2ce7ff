package lab

import (
	"fmt"
	"math"

	"github.com/aelab/aelab/datasets"
	"github.com/aelab/aelab/session"
)

// Images is a batch of examples quantised like the reconstructions
// message of docs/protocol.md: Data holds Count × Width × Height bytes,
// example after example, byte b standing for Lo + b/255·(Hi − Lo).
type Images struct {
	Kind   string  `json:"kind"` // "image" or "vector"
	Width  int     `json:"width"`
	Height int     `json:"height"`
	Count  int     `json:"count"`
	Lo     float32 `json:"lo"`
	Hi     float32 `json:"hi"`
	Data   []byte  `json:"data"`
}

// NewImages quantises n examples of ds's shape over [lo, hi].
func NewImages(ds *datasets.Dataset, x []float32, n int, lo, hi float32) Images {
	b := Images{Kind: "vector", Width: ds.Features, Height: 1, Count: n, Lo: lo, Hi: hi,
		Data: session.AppendQuantised(make([]byte, 0, len(x)), x, lo, hi)}
	if ds.Shape.IsImage() {
		b.Kind, b.Width, b.Height = "image", ds.Shape.Width, ds.Shape.Height
	}
	return b
}

// imagesOf quantises n examples of ds's shape over the range session.QuantRange picks.
func imagesOf(ds *datasets.Dataset, x []float32, n int) Images {
	lo, hi := session.QuantRange(ds.ValueRange, x)
	return NewImages(ds, x, n, lo, hi)
}

// Rows splits n×m values into n rows, with non-finite values (a diverged
// model) replaced by 0 so that the answer always marshals.
func Rows(v []float32, n, m int) [][]float32 {
	out := make([][]float32, n)
	for i := range out {
		out[i] = v[i*m : (i+1)*m : (i+1)*m]
		for j, x := range out[i] {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				out[i][j] = 0
			}
		}
	}
	return out
}

// CheckExample reports whether i, the value of what (in field), is an
// index into ds's test split.
func CheckExample(ds *datasets.Dataset, field, what string, i int) error {
	if i < 0 || i >= ds.Test.N {
		return &session.Error{Code: session.EInvalid, Field: field,
			Message: fmt.Sprintf("%s: test example %d does not exist: the test split of %s has examples 0 to %d", what, i, ds.Name, ds.Test.N-1)}
	}
	return nil
}

// TestRows copies the test examples idx of ds into one n×K matrix.
func TestRows(ds *datasets.Dataset, idx []int) ([]float32, []int) {
	k := ds.Features
	x := make([]float32, 0, len(idx)*k)
	labels := make([]int, len(idx))
	for i, j := range idx {
		x = append(x, ds.Test.Row(j)...)
		labels[i] = ds.Test.Labels[j]
	}
	return x, labels
}

// CapDB keeps identical examples (infinite PSNR) and a diverged model (NaN)
// representable in JSON, as the metrics messages do: at most 99 dB, rounded
// to 0.01 dB.
func CapDB(v float64) float64 {
	switch {
	case math.IsNaN(v):
		return 0
	case v > 99:
		return 99
	}
	return math.Round(v*100) / 100
}

// Finite keeps a diverged model's error (NaN, ±Inf) representable in JSON:
// it reads as -1, which no real error is.
func Finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return -1
	}
	return v
}
