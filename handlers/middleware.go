package handlers

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/a-h/templ"

	"github.com/aelab/aelab/session"
)

// recoverer turns a panic in a handler into a 500 (and a log line with the
// stack) instead of a dropped connection.
func recoverer(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler {
						panic(v)
					}
					log.Error("handler panicked", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
					err := &session.Error{Code: session.EInternal, Message: "internal error", Err: fmt.Errorf("panic: %v", v)}
					if isAPI(r) {
						writeError(w, r, log, err)
					} else {
						renderError(w, r, log, err)
					}
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// securityHeaders sets conservative headers on every response.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "SAMEORIGIN")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'")
		next.ServeHTTP(w, r)
	})
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// render writes a templ component as an HTML page with the given status.
func render(w http.ResponseWriter, r *http.Request, log *slog.Logger, st int, c templ.Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(st)
	if err := c.Render(r.Context(), w); err != nil {
		log.Error("render page", "path", r.URL.Path, "err", err)
	}
}
