package handlers

import (
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/aelab/aelab/session"
)

// handleClassWS streams a class to one dashboard: a snapshot, a tile per
// run, then changes (docs/protocol.md, "Class stream").
func handleClassWS(cb *session.ClassBook, log *slog.Logger, socks *Sockets) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := cb.Get(chi.URLParam(r, "id"))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		serveStream(w, r, log, socks, "class stream ended", func() (<-chan []byte, func() bool, func()) {
			sub := c.Subscribe()
			return sub.C, sub.Dropped, sub.Close
		})
	})
}
