package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/aelab/aelab/session"
)

// stepWait bounds how long POST /api/sessions/{id}/step waits for its
// batches before it answers 503 (they train anyway); well within the
// server's write timeout.
const stepWait = 45 * time.Second

// setAccepted is the answer to POST /api/sessions/{id}/set.
type setAccepted struct {
	Settings session.Settings `json:"settings"`
	// Step is the step the run was at: the settings apply from its next
	// step on (a paused run's next step or resume).
	Step int `json:"step"`
}

// handleSet leaves new settings (learning rate, β, noise) for a session's
// trainer, which applies them before its next step (owner only).
func handleSet(m *session.Manager, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := ownedSession(m, r)
		var v session.Settings
		if err == nil {
			v, err = decodeValid(w, r, func(v session.Settings) session.FieldErrors { return m.ValidateSettings(s, v) })
		}
		if err == nil {
			err = s.Set(v)
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		writeJSON(w, http.StatusAccepted, setAccepted{Settings: v, Step: s.Info().Step})
	})
}

// stepBody is the body of POST /api/sessions/{id}/step.
type stepBody struct {
	Batches *int `json:"batches"` // missing: 1
}

// handleStep trains a few batches of a paused session and answers once
// they are trained and every view published (owner only).
func handleStep(m *session.Manager, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := ownedSession(m, r)
		var b stepBody
		if err == nil {
			b, err = decodeValid(w, r, func(b stepBody) session.FieldErrors {
				if b.Batches == nil {
					return nil
				}
				return session.CheckStepBatches(*b.Batches)
			})
		}
		var res session.StepResult
		if err == nil {
			n := 1
			if b.Batches != nil {
				n = *b.Batches
			}
			ctx, cancel := context.WithTimeout(r.Context(), stepWait)
			defer cancel()
			res, err = s.Step(ctx, n)
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		writeJSON(w, http.StatusOK, res)
	})
}

// ownedSession returns the session of the request's {id} if the request
// comes from its owner.
func ownedSession(m *session.Manager, r *http.Request) (*session.Session, error) {
	s, err := m.Get(chi.URLParam(r, "id"))
	if err != nil {
		return nil, err
	}
	if err := authorize(s, r); err != nil {
		return nil, err
	}
	return s, nil
}
