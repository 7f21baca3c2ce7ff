package handlers

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/aelab/aelab/session"
)

// handleHealth answers 200 while the server can take requests.
func handleHealth(m *session.Manager) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		used, budget := m.Datasets().UploadUsage()
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "stats": m.Stats(),
			"uploads": map[string]int64{"bytes": used, "budget_bytes": budget}})
	})
}

// createdBody is the answer to a successful POST /api/sessions.
type createdBody struct {
	ID         string `json:"id"`
	OwnerToken string `json:"owner_token"`
	URL        string `json:"url"`
}

func handleCreateSession(m *session.Manager, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := decodeValid(w, r, func(c session.Config) session.FieldErrors { _, _, fe := m.Check(c); return fe })
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		st, err := m.Start(clientAddr(r), c)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		s, token := st[0].Session, st[0].Token
		if o := browserOwner(r); !o.IsZero() { // a page's script: its browser owns it too
			s.SetOwner(o)
		}
		w.Header().Set("Location", "/api/sessions/"+s.ID())
		writeJSON(w, http.StatusCreated, createdBody{ID: s.ID(), OwnerToken: token, URL: "/sessions/" + s.ID()})
	})
}

// checkBody is the answer to POST /api/sessions/check.
type checkBody struct {
	Errors  map[string]string `json:"errors"`
	Summary session.Summary   `json:"summary"`
	Config  session.Config    `json:"config"`
}

func handleCheckConfig(m *session.Manager, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var c session.Config
		if err := decodeJSON(w, r, &c); err != nil {
			writeError(w, r, log, err)
			return
		}
		c, sum, fe := m.Check(c)
		writeJSON(w, http.StatusOK, checkBody{Errors: fe.Map(), Summary: sum, Config: c})
	})
}

func handleGetSession(m *session.Manager, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := m.Get(chi.URLParam(r, "id"))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		writeJSON(w, http.StatusOK, s.Info())
	})
}

// handleControl runs an owner-only action (stop, pause).
func handleControl(m *session.Manager, log *slog.Logger, action func(*session.Session) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := m.Get(chi.URLParam(r, "id"))
		if err == nil {
			err = authorize(s, r)
		}
		if err == nil {
			err = action(s)
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// handleResume continues a paused training, or an interrupted one from
// its last checkpoint (owner only); the latter is admitted like a start.
func handleResume(m *session.Manager, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := m.Get(chi.URLParam(r, "id"))
		if err == nil {
			err = authorize(s, r)
		}
		if err == nil {
			if s.State() == session.Interrupted {
				_, err = m.ResumeInterrupted(r.Context(), clientAddr(r), s)
			} else {
				err = s.Resume()
			}
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// handleDelete forgets a session and what the store keeps of it (owner
// only).
func handleDelete(m *session.Manager, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := m.Get(chi.URLParam(r, "id"))
		if err == nil {
			err = authorize(s, r)
		}
		if err == nil {
			err = m.Delete(r.Context(), s)
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}
