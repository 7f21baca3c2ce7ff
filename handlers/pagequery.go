package handlers

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/aelab/aelab/session"
)

// onceEach wraps an HTML page: a query parameter given more than once
// (?present&present, ?dataset=mnist&dataset=iris), except those in multi,
// which take a list, is refused with the page's error view, status 400,
// naming the parameter, as queryParams refuses it on the JSON endpoints.
// A second value would otherwise be silently dropped (url.Values.Get
// takes the first).
func onceEach(log *slog.Logger, h http.Handler, multi ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fe := repeatedParams(r.URL.Query(), multi...)
		if len(fe) == 0 {
			h.ServeHTTP(w, r)
			return
		}
		msgs := make([]string, len(fe))
		for i, f := range fe {
			msgs[i] = f.Message
		}
		err := fe.Err()
		if len(fe) > 1 { // the error view shows one message: name them all
			err = &session.Error{Code: session.EInvalid, Field: fe[0].Field, Fields: fe, Message: strings.Join(msgs, "; ")}
		}
		renderError(w, r, log, err)
	})
}
