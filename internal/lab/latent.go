package lab

import (
	"fmt"

	"github.com/aelab/aelab/analysis"
	"github.com/aelab/aelab/session"
)

// Decoded is the answer of decode: the decoded examples, quantised.
type Decoded struct {
	Step int `json:"step"` // training steps of the weights used
	Images
}

// Decode decodes latent codes chosen by the client (a point clicked on the
// latent scatter, a slider position) into examples; every code must have
// the bottleneck's width (field "z").
func Decode(md Model, codes [][]float64) (Decoded, error) {
	mw := md.Snap.LatentDim()
	z := make([]float32, 0, len(codes)*mw)
	for i, code := range codes {
		if len(code) != mw {
			return Decoded{}, &session.Error{Code: session.EInvalid, Field: "z",
				Message: fmt.Sprintf("z[%d] has %d values, but session %s has a %d-unit bottleneck: every code needs exactly %d", i, len(code), md.S.ID(), mw, mw)}
		}
		for _, v := range code {
			z = append(z, float32(v))
		}
	}
	n := len(codes)
	out := make([]float32, n*md.Snap.InputDim())
	md.Snap.Decode(out, z, n)
	return Decoded{Step: md.Snap.Steps(), Images: imagesOf(md.DS, out, n)}, nil
}

// Encoded is the answer of encode.
type Encoded struct {
	Step   int         `json:"step"`
	Codes  [][]float32 `json:"codes"`  // one code of M values per example
	Labels []int       `json:"labels"` // class index per example (-1: unlabelled)
}

// Encode returns the codes of test examples (field "examples"), e.g. to
// place the unit sliders at a chosen example.
func Encode(md Model, examples []int) (Encoded, error) {
	for i, j := range examples {
		if err := CheckExample(md.DS, "examples", fmt.Sprintf("examples[%d]", i), j); err != nil {
			return Encoded{}, err
		}
	}
	x, labels := TestRows(md.DS, examples)
	n, mw := len(examples), md.Snap.LatentDim()
	z := make([]float32, n*mw)
	md.Snap.Encode(z, x, n)
	return Encoded{Step: md.Snap.Steps(), Codes: Rows(z, n, mw), Labels: labels}, nil
}

// Bounds is a box of the latent space: Lo[j] to Hi[j] along unit j.
type Bounds struct {
	Lo []float32 `json:"lo"`
	Hi []float32 `json:"hi"`
}

// Manifold is the answer of manifold.
type Manifold struct {
	Step     int     `json:"step"`
	Rows     int     `json:"rows"`
	Cols     int     `json:"cols"`
	Span     string  `json:"span"`     // "codes" or "prior": what the box is taken from
	Bounds   Bounds  `json:"bounds"`   // the grid spans this box
	Quantile float64 `json:"quantile"` // of the codes (or of the prior) at each end that the box leaves out
	Images
}

// Manifold decodes a regular grid of rows × cols over the occupied part of
// a 2-unit latent space (span "codes" or ""), or over the middle of a
// variational autoencoder's prior (span "prior"): the picture of
// everything the decoder can draw.
func (rn *Runner) Manifold(md Model, rows, cols int, span string) (Manifold, error) {
	if mw := md.Snap.LatentDim(); mw != 2 {
		return Manifold{}, session.Errorf(session.EInvalid,
			"the manifold grid needs a 2-unit bottleneck, and session %s has %d units: use interpolate or decode to explore it", md.S.ID(), mw)
	}
	var lo, hi []float32
	switch span {
	case "", "codes":
		span = "codes"
		codes, n := rn.Codes(md)
		lo, hi = analysis.Bounds(codes, n, 2, ManifoldQuantile)
	case "prior":
		if !md.S.Config().IsVAE() {
			return Manifold{}, &session.Error{Code: session.EInvalid, Field: "span",
				Message: fmt.Sprintf(`session %s is a plain autoencoder, which has no prior: use span=codes (the default) for the part of the plane its codes occupy`, md.S.ID())}
		}
		lo, hi = analysis.NormalBounds(2, ManifoldQuantile)
	default:
		return Manifold{}, &session.Error{Code: session.EInvalid, Field: "span",
			Message: fmt.Sprintf(`span must be "codes" (where the test codes lie, the default) or "prior" (the middle of N(0, I), for a variational autoencoder), got %q`, span)}
	}
	grid := analysis.Grid([2]float32{lo[0], lo[1]}, [2]float32{hi[0], hi[1]}, rows, cols)
	out := make([]float32, rows*cols*md.Snap.InputDim())
	md.Snap.Decode(out, grid, rows*cols)
	return Manifold{Step: md.Snap.Steps(), Rows: rows, Cols: cols, Span: span, Bounds: Bounds{Lo: lo, Hi: hi},
		Quantile: ManifoldQuantile, Images: imagesOf(md.DS, out, rows*cols)}, nil
}

// LatentStats is the answer of latent-stats.
type LatentStats struct {
	Step     int       `json:"step"`
	Count    int       `json:"count"`    // latent examples measured (the first test examples)
	Variance []float64 `json:"variance"` // per unit
	Mean     []float64 `json:"mean"`     // per unit
	Dead     []bool    `json:"dead"`     // per unit: variance below deadFraction of the largest
	Bounds   Bounds    `json:"bounds"`
	Quantile float64   `json:"quantile"`
}

// deadFraction: a unit whose variance is below this fraction of the largest
// unit's (or below deadFloor) carries next to no information.
const (
	deadFraction = 1e-3
	deadFloor    = 1e-8
)

// deadUnits flags the units whose variance is below deadFraction of the
// largest unit's, or below deadFloor.
func deadUnits(vars []float64) []bool {
	top := 0.0
	for _, v := range vars {
		if v > top { // NaN (a diverged model) never is
			top = v
		}
	}
	dead := make([]bool, len(vars))
	for j, v := range vars {
		dead[j] = !(v >= deadFloor && v >= deadFraction*top)
	}
	return dead
}

// LatentStats measures each latent unit over the latent examples: its
// variance (about 0 for a dead unit), mean and occupied range.
func (rn *Runner) LatentStats(md Model) LatentStats {
	codes, n := rn.Codes(md)
	mw := md.Snap.LatentDim()
	vars := analysis.UnitVariance(codes, n, mw)
	lo, hi := analysis.Bounds(codes, n, mw, ManifoldQuantile)
	b := LatentStats{Step: md.Snap.Steps(), Count: n, Variance: vars, Mean: make([]float64, mw),
		Dead: deadUnits(vars), Bounds: Bounds{Lo: lo, Hi: hi}, Quantile: ManifoldQuantile}
	for i := range n {
		for j := range mw {
			b.Mean[j] += float64(codes[i*mw+j]) / float64(n)
		}
	}
	return b
}

// Interpolation is the answer of interpolate.
type Interpolation struct {
	Step   int         `json:"step"`
	From   int         `json:"from"`
	To     int         `json:"to"`
	Labels [2]int      `json:"labels"` // classes of the two examples
	Codes  [][]float32 `json:"codes"`  // the steps codes on the line, first = code of from, last = code of to
	Images
}

// Interpolate decodes steps points of the straight line between the codes
// of test examples from and to (fields "from" and "to").
func Interpolate(md Model, from, to, steps int) (Interpolation, error) {
	if err := CheckExample(md.DS, "from", "from", from); err != nil {
		return Interpolation{}, err
	}
	if err := CheckExample(md.DS, "to", "to", to); err != nil {
		return Interpolation{}, err
	}
	x, labels := TestRows(md.DS, []int{from, to})
	mw := md.Snap.LatentDim()
	ends := make([]float32, 2*mw)
	md.Snap.Encode(ends, x, 2)
	z := make([]float32, steps*mw)
	analysis.Interpolate(z, ends[:mw], ends[mw:], steps)
	out := make([]float32, steps*md.Snap.InputDim())
	md.Snap.Decode(out, z, steps)
	return Interpolation{Step: md.Snap.Steps(), From: from, To: to, Labels: [2]int{labels[0], labels[1]},
		Codes: Rows(z, steps, mw), Images: imagesOf(md.DS, out, steps)}, nil
}
