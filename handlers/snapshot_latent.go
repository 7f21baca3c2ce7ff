package handlers

import (
	"fmt"
	"log/slog"
	"math"
	"net/http"

	"github.com/aelab/aelab/analysis"
	"github.com/aelab/aelab/session"
)

// decodeRequest is the body of POST /api/sessions/{id}/decode.
type decodeRequest struct {
	Z [][]float64 `json:"z"`
}

func (q *decodeRequest) check() error {
	switch {
	case len(q.Z) == 0:
		return &session.Error{Code: session.EInvalid, Field: "z", Message: `send at least one code: {"z": [[z1, z2, …]]}`}
	case len(q.Z) > maxCodes:
		return &session.Error{Code: session.EInvalid, Field: "z",
			Message: fmt.Sprintf("%d codes is too many: send at most %d per request", len(q.Z), maxCodes)}
	}
	for i, code := range q.Z {
		for j, v := range code {
			if math.IsNaN(v) || math.Abs(v) > maxLatentAbs {
				return &session.Error{Code: session.EInvalid, Field: "z",
					Message: fmt.Sprintf("z[%d][%d] = %g: latent values must be finite numbers between %g and %g", i, j, v, -maxLatentAbs, maxLatentAbs)}
			}
		}
	}
	return nil
}

// decodedBody is the answer of decode: the decoded examples, quantised.
type decodedBody struct {
	Step int `json:"step"` // training steps of the weights used
	imagesBody
}

// handleDecode decodes latent codes chosen by the client (a point clicked on
// the latent scatter, a slider position) into examples.
func handleDecode(m *session.Manager, log *slog.Logger, mr *modelRunner) http.Handler {
	return serveJSON(mr, m, log, `"z"`, func(md model, q *decodeRequest) (any, error) {
		mw := md.snap.LatentDim()
		z := make([]float32, 0, len(q.Z)*mw)
		for i, code := range q.Z {
			if len(code) != mw {
				return nil, &session.Error{Code: session.EInvalid, Field: "z",
					Message: fmt.Sprintf("z[%d] has %d values, but session %s has a %d-unit bottleneck: every code needs exactly %d", i, len(code), md.s.ID(), mw, mw)}
			}
			for _, v := range code {
				z = append(z, float32(v))
			}
		}
		n := len(q.Z)
		out := make([]float32, n*md.snap.InputDim())
		md.snap.Decode(out, z, n)
		lo, hi := session.QuantRange(md.ds.ValueRange, out)
		return decodedBody{Step: md.snap.Steps(), imagesBody: newImages(md.ds, out, n, lo, hi)}, nil
	})
}

// encodeRequest is the body of POST /api/sessions/{id}/encode.
type encodeRequest struct {
	Examples []int `json:"examples"`
}

func (q *encodeRequest) check() error {
	switch {
	case len(q.Examples) == 0:
		return &session.Error{Code: session.EInvalid, Field: "examples", Message: `name at least one test example: {"examples": [0, 1]}`}
	case len(q.Examples) > maxExamples:
		return &session.Error{Code: session.EInvalid, Field: "examples",
			Message: fmt.Sprintf("%d examples is too many: send at most %d per request", len(q.Examples), maxExamples)}
	}
	return nil
}

// encodedBody is the answer of encode.
type encodedBody struct {
	Step   int         `json:"step"`
	Codes  [][]float32 `json:"codes"`  // one code of M values per example
	Labels []int       `json:"labels"` // class index per example (-1: unlabelled)
}

// handleEncode returns the codes of test examples, e.g. to place the unit
// sliders at a chosen example.
func handleEncode(m *session.Manager, log *slog.Logger, mr *modelRunner) http.Handler {
	return serveJSON(mr, m, log, `"examples"`, func(md model, q *encodeRequest) (any, error) {
		for i, j := range q.Examples {
			if err := checkExample(md.ds, "examples", fmt.Sprintf("examples[%d]", i), j); err != nil {
				return nil, err
			}
		}
		x, labels := testRows(md.ds, q.Examples)
		n, mw := len(q.Examples), md.snap.LatentDim()
		z := make([]float32, n*mw)
		md.snap.Encode(z, x, n)
		return encodedBody{Step: md.snap.Steps(), Codes: rows(z, n, mw), Labels: labels}, nil
	})
}

// boundsBody is a box of the latent space: lo[j] to hi[j] along unit j.
type boundsBody struct {
	Lo []float32 `json:"lo"`
	Hi []float32 `json:"hi"`
}

// manifoldBody is the answer of manifold.
type manifoldBody struct {
	Step     int        `json:"step"`
	Rows     int        `json:"rows"`
	Cols     int        `json:"cols"`
	Span     string     `json:"span"`     // "codes" or "prior": what the box is taken from
	Bounds   boundsBody `json:"bounds"`   // the grid spans this box
	Quantile float64    `json:"quantile"` // of the codes (or of the prior) at each end that the box leaves out
	imagesBody
}

// handleManifold decodes a regular grid over the occupied part of a 2-unit
// latent space (span=codes), or over the middle of a variational
// autoencoder's prior (span=prior): the picture of everything the decoder
// can draw.
func handleManifold(m *session.Manager, log *slog.Logger, mr *modelRunner) http.Handler {
	return mr.serve(m, log, func(r *http.Request, md model) (any, error) {
		rows, err := queryInt(r.URL.Query().Get("rows"), "rows", 12, 1, maxManifoldSide)
		if err != nil {
			return nil, err
		}
		cols, err := queryInt(r.URL.Query().Get("cols"), "cols", rows, 1, maxManifoldSide)
		if err != nil {
			return nil, err
		}
		if mw := md.snap.LatentDim(); mw != 2 {
			return nil, session.Errorf(session.EInvalid,
				"the manifold grid needs a 2-unit bottleneck, and session %s has %d units: use interpolate or decode to explore it", md.s.ID(), mw)
		}
		var lo, hi []float32
		span := r.URL.Query().Get("span")
		switch span {
		case "", "codes":
			span = "codes"
			codes, n := mr.cache.codes(md)
			lo, hi = analysis.Bounds(codes, n, 2, manifoldQuantile)
		case "prior":
			if !md.s.Config().IsVAE() {
				return nil, &session.Error{Code: session.EInvalid, Field: "span",
					Message: fmt.Sprintf(`session %s is a plain autoencoder, which has no prior: use span=codes (the default) for the part of the plane its codes occupy`, md.s.ID())}
			}
			lo, hi = analysis.NormalBounds(2, manifoldQuantile)
		default:
			return nil, &session.Error{Code: session.EInvalid, Field: "span",
				Message: fmt.Sprintf(`span must be "codes" (where the test codes lie, the default) or "prior" (the middle of N(0, I), for a variational autoencoder), got %q`, span)}
		}
		grid := analysis.Grid([2]float32{lo[0], lo[1]}, [2]float32{hi[0], hi[1]}, rows, cols)
		out := make([]float32, rows*cols*md.snap.InputDim())
		md.snap.Decode(out, grid, rows*cols)
		qlo, qhi := session.QuantRange(md.ds.ValueRange, out)
		return manifoldBody{Step: md.snap.Steps(), Rows: rows, Cols: cols, Span: span, Bounds: boundsBody{Lo: lo, Hi: hi},
			Quantile: manifoldQuantile, imagesBody: newImages(md.ds, out, rows*cols, qlo, qhi)}, nil
	})
}

// latentStatsBody is the answer of latent-stats.
type latentStatsBody struct {
	Step     int        `json:"step"`
	Count    int        `json:"count"`    // latent examples measured (the first test examples)
	Variance []float64  `json:"variance"` // per unit
	Mean     []float64  `json:"mean"`     // per unit
	Dead     []bool     `json:"dead"`     // per unit: variance below deadFraction of the largest
	Bounds   boundsBody `json:"bounds"`
	Quantile float64    `json:"quantile"`
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

// handleLatentStats measures each latent unit over the latent examples: its
// variance (about 0 for a dead unit), mean and occupied range.
func handleLatentStats(m *session.Manager, log *slog.Logger, mr *modelRunner) http.Handler {
	return mr.serve(m, log, func(r *http.Request, md model) (any, error) {
		codes, n := mr.cache.codes(md)
		mw := md.snap.LatentDim()
		vars := analysis.UnitVariance(codes, n, mw)
		lo, hi := analysis.Bounds(codes, n, mw, manifoldQuantile)
		b := latentStatsBody{Step: md.snap.Steps(), Count: n, Variance: vars, Mean: make([]float64, mw),
			Dead: deadUnits(vars), Bounds: boundsBody{Lo: lo, Hi: hi}, Quantile: manifoldQuantile}
		for i := range n {
			for j := range mw {
				b.Mean[j] += float64(codes[i*mw+j]) / float64(n)
			}
		}
		return b, nil
	})
}

// interpolateRequest is the body of POST /api/sessions/{id}/interpolate.
type interpolateRequest struct {
	From  *int `json:"from"`
	To    *int `json:"to"`
	Steps int  `json:"steps"`
}

func (q *interpolateRequest) check() error {
	switch {
	case q.From == nil:
		return &session.Error{Code: session.EInvalid, Field: "from", Message: `"from" is missing: name the test example to start from`}
	case q.To == nil:
		return &session.Error{Code: session.EInvalid, Field: "to", Message: `"to" is missing: name the test example to end at`}
	case q.Steps == 0:
		q.Steps = 10
	}
	if q.Steps < 2 || q.Steps > maxInterpSteps {
		return &session.Error{Code: session.EInvalid, Field: "steps",
			Message: fmt.Sprintf("steps = %d: it must be from 2 (the two ends) to %d", q.Steps, maxInterpSteps)}
	}
	return nil
}

// interpolationBody is the answer of interpolate.
type interpolationBody struct {
	Step   int         `json:"step"`
	From   int         `json:"from"`
	To     int         `json:"to"`
	Labels [2]int      `json:"labels"` // classes of the two examples
	Codes  [][]float32 `json:"codes"`  // the steps codes on the line, first = code of from, last = code of to
	imagesBody
}

// handleInterpolate decodes the straight line between the codes of two test
// examples.
func handleInterpolate(m *session.Manager, log *slog.Logger, mr *modelRunner) http.Handler {
	return serveJSON(mr, m, log, `"from", "to" and "steps"`, func(md model, q *interpolateRequest) (any, error) {
		if err := checkExample(md.ds, "from", "from", *q.From); err != nil {
			return nil, err
		}
		if err := checkExample(md.ds, "to", "to", *q.To); err != nil {
			return nil, err
		}
		x, labels := testRows(md.ds, []int{*q.From, *q.To})
		mw := md.snap.LatentDim()
		ends := make([]float32, 2*mw)
		md.snap.Encode(ends, x, 2)
		z := make([]float32, q.Steps*mw)
		analysis.Interpolate(z, ends[:mw], ends[mw:], q.Steps)
		out := make([]float32, q.Steps*md.snap.InputDim())
		md.snap.Decode(out, z, q.Steps)
		lo, hi := session.QuantRange(md.ds.ValueRange, out)
		return interpolationBody{Step: md.snap.Steps(), From: *q.From, To: *q.To, Labels: [2]int{labels[0], labels[1]},
			Codes: rows(z, q.Steps, mw), imagesBody: newImages(md.ds, out, q.Steps, lo, hi)}, nil
	})
}
