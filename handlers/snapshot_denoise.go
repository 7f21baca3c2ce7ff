package handlers

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/aelab/aelab/analysis"
	"github.com/aelab/aelab/internal/lab"
	"github.com/aelab/aelab/session"
)

// denoiseRequest is the body of POST /api/sessions/{id}/denoise.
type denoiseRequest struct {
	Kind  string   `json:"kind"`
	Level *float64 `json:"level"`
	Count *int     `json:"count"` // nil: 10; a given 0 is refused
	Seed  uint64   `json:"seed"`
}

func (q *denoiseRequest) check() error {
	if q.Kind == "" {
		return &session.Error{Code: session.EInvalid, Field: "kind",
			Message: fmt.Sprintf(`"kind" is missing: choose one of %s`, strings.Join(analysis.NoiseKinds(), ", "))}
	}
	if q.Level == nil {
		return &session.Error{Code: session.EInvalid, Field: "level", Message: `"level" is missing: the σ of gaussian noise, or the fraction of values hit`}
	}
	if q.Count == nil {
		q.Count = new(10)
	}
	if *q.Count < 1 || *q.Count > maxDenoiseCount {
		return &session.Error{Code: session.EInvalid, Field: "count",
			Message: fmt.Sprintf("count = %d: it must be from 1 to %d", *q.Count, maxDenoiseCount)}
	}
	if q.Seed > 1<<53 {
		return &session.Error{Code: session.EInvalid, Field: "seed", Message: "seed must be between 0 and 2^53 (a larger number does not survive JavaScript's numbers)"}
	}
	return nil
}

// handleDenoise corrupts the fixed reconstruction examples with a noise of
// the client's choice and runs the noisy versions through the model
// (lab.Denoise).
func handleDenoise(log *slog.Logger, mr *modelRunner) http.Handler {
	return serveJSON(mr, log, `"kind", "level", "count" and "seed"`, func(md lab.Model, q *denoiseRequest) (any, error) {
		return lab.Denoise(md, q.Kind, *q.Level, *q.Count, q.Seed)
	})
}
