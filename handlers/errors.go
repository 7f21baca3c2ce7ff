package handlers

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web/templates"
)

// Codes that exist only at the HTTP layer.
const (
	codeMethod   session.Code = "method_not_allowed"
	codeTooLarge session.Code = "too_large"
)

// status maps error codes to HTTP statuses: the one place that does.
func status(code session.Code) int {
	switch code {
	case session.EInvalid:
		return http.StatusBadRequest
	case session.ENotFound:
		return http.StatusNotFound
	case session.EUnauthorized:
		return http.StatusUnauthorized
	case session.EForbidden:
		return http.StatusForbidden
	case session.EConflict:
		return http.StatusConflict
	case session.EUnavailable:
		return http.StatusServiceUnavailable
	case session.EFull:
		return http.StatusInsufficientStorage
	case codeMethod:
		return http.StatusMethodNotAllowed
	case codeTooLarge:
		return http.StatusRequestEntityTooLarge
	case session.ERateLimited:
		return http.StatusTooManyRequests
	default:
		return http.StatusInternalServerError
	}
}

// errorBody is the JSON form of every API error.
type errorBody struct {
	Error  string            `json:"error"`
	Code   session.Code      `json:"code"`
	Field  string            `json:"field,omitempty"`
	Errors map[string]string `json:"errors,omitempty"`
}

// writeError answers an API request with a JSON error. Only internal errors
// are logged: the others are the client's business.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := session.ErrorCode(err)
	st := status(code)
	if st >= 500 && code != session.EUnavailable && code != session.EFull {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	body := errorBody{Error: session.ErrorMessage(err), Code: code, Field: session.ErrorField(err)}
	var e *session.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		body.Errors = e.Fields.Map()
	}
	if code == session.EUnavailable {
		w.Header().Set("Retry-After", "60")
	}
	setRetryAfter(w, err)
	writeJSON(w, st, body)
}

func writeJSON(w http.ResponseWriter, st int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(st)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// renderError answers a browser with a readable error page.
func renderError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := session.ErrorCode(err)
	st := status(code)
	if st >= 500 && code != session.EUnavailable && code != session.EFull {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	render(w, r, log, st, templates.Error(templates.ErrorView{
		Status: st, Title: http.StatusText(st), Message: session.ErrorMessage(err)}))
}
