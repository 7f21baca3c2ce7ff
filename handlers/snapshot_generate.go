package handlers

import (
	"fmt"
	"log/slog"
	"net/http"

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

// generatedBody is the answer of generate: the decoded prior samples.
type generatedBody struct {
	Step int    `json:"step"` // training steps of the weights used
	Seed uint64 `json:"seed"` // the seed the codes were drawn with
	imagesBody
}

// handleGenerate decodes n codes drawn from a variational autoencoder's
// prior N(0, I): new examples the model makes up. The same seed draws the
// same codes, so a grid refreshed while training shows the same codes
// decoded by better and better weights.
func handleGenerate(m *session.Manager, log *slog.Logger, mr *modelRunner) http.Handler {
	return serveJSON(mr, m, log, `"n" and "seed"`, func(md model, q *generateRequest) (any, error) {
		if !md.s.Config().IsVAE() {
			return nil, &session.Error{Code: session.EConflict, Field: "kind",
				Message: fmt.Sprintf(`session %s is a plain autoencoder, which has no prior to draw codes from: train one with "kind": "vae" to generate new examples`, md.s.ID())}
		}
		seed := md.s.Config().Seed
		if q.Seed != nil {
			seed = *q.Seed
		}
		out := make([]float32, q.N*md.snap.InputDim())
		md.snap.Generate(out, q.N, seed)
		lo, hi := session.QuantRange(md.ds.ValueRange, out)
		return generatedBody{Step: md.snap.Steps(), Seed: seed, imagesBody: newImages(md.ds, out, q.N, lo, hi)}, nil
	})
}
