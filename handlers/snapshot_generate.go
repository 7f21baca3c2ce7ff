package handlers

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/aelab/aelab/internal/lab"
	"github.com/aelab/aelab/session"
)

// maxGenerate is the most examples one generate request may ask for.
const maxGenerate = 256

// generateRequest is the body of POST /api/sessions/{id}/generate.
type generateRequest struct {
	N    int     `json:"n"`
	Seed *uint64 `json:"seed"`
}

func (q *generateRequest) check() error {
	if q.N < 1 || q.N > maxGenerate {
		return &session.Error{Code: session.EInvalid, Field: "n",
			Message: fmt.Sprintf("n must be between 1 and %d examples, got %d", maxGenerate, q.N)}
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
		return lab.Generate(md, q.N, q.Seed)
	})
}
