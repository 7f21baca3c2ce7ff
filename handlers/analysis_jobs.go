package handlers

import (
	"context"
	"net/http"

	"github.com/aelab/aelab/session"
)

// analysisJobs runs the analyses that take seconds of CPU (feature
// extraction, the pretraining comparison, PCA fits) through the one door of
// the session manager: a rate token of the caller's address, a share of the
// memory budget, and a turn of the CPU pool shared with the trainings
// (which keep their turns: other work holds at most half the cores).
type analysisJobs struct{ m *session.Manager }

func newAnalysisJobs(m *session.Manager) *analysisJobs { return &analysisJobs{m: m} }

// run admits the analysis of r and calls f in the request goroutine.
func (j *analysisJobs) run(r *http.Request, kind session.WorkKind, f func(ctx context.Context) error) error {
	return j.m.Do(r.Context(), session.Work{Kind: kind, Addr: clientAddr(r)}, f)
}

// decodeOptionalJSON is decodeJSON for bodies whose every field has a
// default: an empty body means {}.
func decodeOptionalJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return decodeJSON(w, r, v)
}
