package handlers

import (
	"fmt"
	"log/slog"
	"math"
	"net/http"

	"github.com/aelab/aelab/internal/lab"
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

// handleDecode decodes latent codes chosen by the client (lab.Decode).
// Like the other views of the latent explorer it takes ?step= (serveAt).
func handleDecode(log *slog.Logger, mr *modelRunner) http.Handler {
	return serveJSONAt(mr, log, `"z"`, func(md lab.Model, q *decodeRequest) (any, error) { return lab.Decode(md, q.Z) })
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

// handleEncode returns the codes of test examples (lab.Encode).
func handleEncode(log *slog.Logger, mr *modelRunner) http.Handler {
	return serveJSONAt(mr, log, `"examples"`, func(md lab.Model, q *encodeRequest) (any, error) { return lab.Encode(md, q.Examples) })
}

// reconstructRequest is the body of POST /api/sessions/{id}/reconstruct.
type reconstructRequest struct {
	Examples []int `json:"examples"`
}

func (q *reconstructRequest) check() error {
	if q.Examples == nil {
		return &session.Error{Code: session.EInvalid, Field: "examples",
			Message: fmt.Sprintf(`"examples" is missing: name 1 to %d test examples, e.g. {"examples": [0, 17]}`, lab.MaxReconstruct)}
	}
	if len(q.Examples) == 0 || len(q.Examples) > lab.MaxReconstruct {
		return &session.Error{Code: session.EInvalid, Field: "examples",
			Message: fmt.Sprintf(`name 1 to %d test examples, e.g. {"examples": [0, 17]}; got %d`, lab.MaxReconstruct, len(q.Examples))}
	}
	return nil
}

// handleReconstruct returns test examples with their codes and
// reconstructions (lab.Reconstruct).
func handleReconstruct(log *slog.Logger, mr *modelRunner) http.Handler {
	return serveJSON(mr, log, `"examples"`, func(md lab.Model, q *reconstructRequest) (any, error) { return lab.Reconstruct(md, q.Examples) })
}

// handleManifold decodes a grid of ?rows= × ?cols= over the latent plane,
// ?span=codes or prior (lab.Runner.Manifold).
func handleManifold(log *slog.Logger, mr *modelRunner) http.Handler {
	return mr.serveAt(log, func(r *http.Request, md lab.Model) (any, error) {
		q := r.URL.Query() // single values: checked by the handler
		rows, err := queryInt(q, "rows", 12, 1, maxManifoldSide)
		if err != nil {
			return nil, err
		}
		cols, err := queryInt(q, "cols", rows, 1, maxManifoldSide)
		if err != nil {
			return nil, err
		}
		return mr.Manifold(md, rows, cols, q.Get("span"))
	})
}

// handleLatentStats measures each latent unit over the latent examples
// (lab.Runner.LatentStats).
func handleLatentStats(log *slog.Logger, mr *modelRunner) http.Handler {
	return mr.serveAt(log, func(_ *http.Request, md lab.Model) (any, error) { return mr.LatentStats(md), nil })
}

// interpolateRequest is the body of POST /api/sessions/{id}/interpolate.
type interpolateRequest struct {
	From  *int `json:"from"`
	To    *int `json:"to"`
	Steps *int `json:"steps"` // nil: 10; a given 0 is refused
}

func (q *interpolateRequest) check() error {
	switch {
	case q.From == nil:
		return &session.Error{Code: session.EInvalid, Field: "from", Message: `"from" is missing: name the test example to start from`}
	case q.To == nil:
		return &session.Error{Code: session.EInvalid, Field: "to", Message: `"to" is missing: name the test example to end at`}
	case q.Steps == nil:
		q.Steps = new(10)
	}
	if *q.Steps < 2 || *q.Steps > maxInterpSteps {
		return &session.Error{Code: session.EInvalid, Field: "steps",
			Message: fmt.Sprintf("steps = %d: it must be from 2 (the two ends) to %d", *q.Steps, maxInterpSteps)}
	}
	return nil
}

// handleInterpolate decodes the straight line between the codes of two
// test examples (lab.Interpolate).
func handleInterpolate(log *slog.Logger, mr *modelRunner) http.Handler {
	return serveJSONAt(mr, log, `"from", "to" and "steps"`, func(md lab.Model, q *interpolateRequest) (any, error) {
		return lab.Interpolate(md, *q.From, *q.To, *q.Steps)
	})
}
