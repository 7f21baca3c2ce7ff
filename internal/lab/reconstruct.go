package lab

import (
	"fmt"
	"math"

	"github.com/aelab/aelab/session"
)

// MaxReconstruct is the most test examples one reconstruct request may name.
const MaxReconstruct = 64

// Reconstructed is the answer of reconstruct: test examples, their codes
// and the model's reconstructions of them, both quantised over one range.
type Reconstructed struct {
	Step    int         `json:"step"`    // training steps of the weights used
	Indices []int       `json:"indices"` // the test examples, as asked
	Labels  []int       `json:"labels"`  // class index per example (-1: unlabelled)
	Codes   [][]float32 `json:"codes"`   // one code of M values per example (a VAE's: the mean μ)
	// MSE is each example's mean squared reconstruction error against the
	// original (-1 when the model's output is not finite).
	MSE             []float64 `json:"mse"`
	Kind            string    `json:"kind"`
	Width           int       `json:"width"`
	Height          int       `json:"height"`
	Count           int       `json:"count"`
	Lo              float32   `json:"lo"`
	Hi              float32   `json:"hi"`
	Originals       []byte    `json:"originals"`
	Reconstructions []byte    `json:"reconstructions"`
}

// Reconstruct runs test examples (field "examples") through the model:
// what the session page shows for a point clicked on the latent scatter or
// the examples behind a bin of the anomaly lab's histogram. A variational
// autoencoder decodes the mean code μ, without sampling.
func Reconstruct(md Model, examples []int) (Reconstructed, error) {
	if len(examples) == 0 || len(examples) > MaxReconstruct {
		return Reconstructed{}, &session.Error{Code: session.EInvalid, Field: "examples",
			Message: fmt.Sprintf("name 1 to %d test examples; got %d", MaxReconstruct, len(examples))}
	}
	for i, j := range examples {
		if err := CheckExample(md.DS, "examples", fmt.Sprintf("examples[%d]", i), j); err != nil {
			return Reconstructed{}, err
		}
	}
	x, labels := TestRows(md.DS, examples)
	n, k, mw := len(examples), md.Snap.InputDim(), md.Snap.LatentDim()
	z := make([]float32, n*mw)
	md.Snap.Encode(z, x, n)
	out := make([]float32, n*k)
	md.Snap.Decode(out, z, n)
	mse := make([]float64, n)
	for i := range n {
		var s float64
		for j := i * k; j < (i+1)*k; j++ {
			d := float64(out[j]) - float64(x[j])
			s += d * d
		}
		mse[i] = s / float64(k)
		if math.IsNaN(mse[i]) || math.IsInf(mse[i], 0) {
			mse[i] = -1
		}
	}
	lo, hi := session.QuantRange(md.DS.ValueRange, x, out)
	orig := NewImages(md.DS, x, n, lo, hi)
	rec := NewImages(md.DS, out, n, lo, hi)
	return Reconstructed{Step: md.Snap.Steps(), Indices: append([]int(nil), examples...), Labels: labels,
		Codes: Rows(z, n, mw), MSE: mse, Kind: orig.Kind, Width: orig.Width, Height: orig.Height, Count: n,
		Lo: lo, Hi: hi, Originals: orig.Data, Reconstructions: rec.Data}, nil
}
