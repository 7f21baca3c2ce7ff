package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/aelab/aelab/session"
)

// handleFeatures answers POST /api/sessions/{id}/features: the session's
// encoder as a feature extractor for a simple classifier trained on a few
// labels (docs/api.md).
func handleFeatures(m *session.Manager, log *slog.Logger, jobs *analysisJobs) http.Handler {
	return handleAnalysis(m, log, jobs, (*session.Session).Features)
}

// handlePretrain answers POST /api/sessions/{id}/pretrain: a classifier
// started from the session's encoder against the same network started at
// random, both trained on a few labels (docs/api.md).
func handlePretrain(m *session.Manager, log *slog.Logger, jobs *analysisJobs) http.Handler {
	return handleAnalysis(m, log, jobs, (*session.Session).Pretrain)
}

// handleAnalysis is the shape of every few-label analysis: read and check
// the (optional) JSON request, wait for the session's first weights, then
// run the analysis in one of the few analysis slots.
func handleAnalysis[Req any, PReq interface {
	*Req
	Validate() error
}, Res any](m *session.Manager, log *slog.Logger, jobs *analysisJobs,
	analyse func(*session.Session, context.Context, Req) (*Res, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := m.Get(chi.URLParam(r, "id"))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		var req Req
		if err = decodeOptionalJSON(w, r, &req); err == nil {
			err = PReq(&req).Validate() // it may also fill in defaults
		}
		if err == nil {
			err = waitForModel(r.Context(), s)
		}
		var res *Res
		if err == nil {
			err = jobs.run(r, session.WorkAnalysis, func(ctx context.Context) (err error) {
				res, err = analyse(s, ctx, req)
				return err
			})
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		writeJSON(w, http.StatusOK, res)
	})
}

// modelWait is how long a few-label analysis waits for the first weights of
// a session that has not taken a step yet (outside its analysis slot).
const modelWait = 10 * time.Second

// waitForModel waits until the session has weights to analyse, so that a
// queued session does not hold an analysis slot while it waits.
func waitForModel(ctx context.Context, s *session.Session) error {
	ctx, cancel := context.WithTimeout(ctx, modelWait)
	defer cancel()
	_, err := s.Snapshot(ctx)
	return err
}
