package handlers

import (
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/aelab/aelab/session"
)

// handlePCAProjection answers GET /api/sessions/{id}/pca-projection
// (?k=, default the session's bottleneck) with lab.Runner.PCAProjection.
func handlePCAProjection(m *session.Manager, log *slog.Logger, mr *modelRunner) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := m.Get(chi.URLParam(r, "id"))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		q, err := queryParams(r)
		k := 0
		if err == nil {
			k, err = queryInt(q, "k", s.Config().Bottleneck, 1, maxPCAProjectionK)
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		body, err := mr.PCAProjection(r.Context(), clientAddr(r), s, k)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		writeJSON(w, http.StatusOK, body)
	})
}

// maxPCAProjectionK bounds ?k= before the data is known (the fit then
// bounds it by its number of components).
const maxPCAProjectionK = 4096
