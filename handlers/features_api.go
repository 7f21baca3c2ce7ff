package handlers

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/aelab/aelab/internal/lab"
	"github.com/aelab/aelab/session"
)

// handleFeatures answers POST /api/sessions/{id}/features: the session's
// encoder as a feature extractor for a simple classifier trained on a few
// labels (docs/api.md).
func handleFeatures(m *session.Manager, log *slog.Logger, mr *modelRunner) http.Handler {
	return handleAnalysis(m, log, mr, (*session.Session).Features)
}

// handlePretrain answers POST /api/sessions/{id}/pretrain: a classifier
// started from the session's encoder against the same network started at
// random, both trained on a few labels (docs/api.md).
func handlePretrain(m *session.Manager, log *slog.Logger, mr *modelRunner) http.Handler {
	return handleAnalysis(m, log, mr, (*session.Session).Pretrain)
}

// handleAnalysis is the shape of every few-label analysis: read and check
// the (optional) JSON request, wait for the session's first weights, then
// run the analysis as work admitted by the door (lab.Runner.Analyse).
func handleAnalysis[Req any, PReq interface {
	*Req
	Validate() error
}, Res any](m *session.Manager, log *slog.Logger, mr *modelRunner,
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
			err = lab.WaitForModel(r.Context(), s)
		}
		var res *Res
		if err == nil {
			err = mr.Analyse(r.Context(), clientAddr(r), session.WorkAnalysis, func(ctx context.Context) (err error) {
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
