package handlers

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/aelab/aelab/internal/lab"
	"github.com/aelab/aelab/session"
)

// maxGenerate is the most examples one generate request may ask for;
// defaultGenerate is how many a request that leaves n out gets.
const (
	maxGenerate     = 256
	defaultGenerate = 16
)

// generateRequest is the body of POST /api/sessions/{id}/generate.
type generateRequest struct {
	N    *int    `json:"n"` // missing: defaultGenerate
	Seed *uint64 `json:"seed"`
}

func (q *generateRequest) check() error {
	if q.N == nil {
		q.N = new(defaultGenerate)
	}
	if n := *q.N; n < 1 || n > maxGenerate {
		return &session.Error{Code: session.EInvalid, Field: "n",
			Message: fmt.Sprintf("n must be between 1 and %d examples (leave it out for %d), got %d", maxGenerate, defaultGenerate, n)}
	}
	if q.Seed != nil && *q.Seed > 1<<53 {
		return &session.Error{Code: session.EInvalid, Field: "seed", Message: "seed must be between 0 and 2^53 (leave it out for the session's seed)"}
	}
	return nil
}

// handleGenerate decodes codes drawn from a variational autoencoder's
// prior (lab.Generate).
func handleGenerate(log *slog.Logger, mr *modelRunner) http.Handler {
	return serveJSON(mr, log, `"n" and "seed"`, func(md lab.Model, q *generateRequest) (any, error) {
		return lab.Generate(md, *q.N, q.Seed)
	})
}
