package handlers

import (
	"errors"
	"log/slog"
	"math"
	"net/http"
	"reflect"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/aelab/aelab/session"
)

// comparisonRequest is the body of POST /api/comparisons: either a
// configuration (the body of POST /api/sessions, without "bottleneck") and
// the widths to sweep, or the ids of existing sessions.
type comparisonRequest struct {
	session.Config
	Bottlenecks []int    `json:"bottlenecks"`
	Sessions    []string `json:"sessions"`
}

// hasConfig reports whether any configuration field was given.
func (q comparisonRequest) hasConfig() bool { return !reflect.DeepEqual(q.Config, session.Config{}) }

// comparisonCreatedBody is the answer to a successful POST /api/comparisons.
type comparisonCreatedBody struct {
	ID       string              `json:"id"`
	URL      string              `json:"url"`
	Sessions []memberCreatedBody `json:"sessions"`
}

// memberCreatedBody is one member of a new comparison; OwnerToken is set
// only for the sessions the request started (a sweep).
type memberCreatedBody struct {
	ID         string `json:"id"`
	OwnerToken string `json:"owner_token,omitempty"`
	URL        string `json:"url"`
}

func comparePath(id string) string     { return "/compare/" + id }
func comparisonAPI(id string) string   { return "/api/comparisons/" + id }
func sessionPagePath(id string) string { return "/sessions/" + id }
func sessionWSPath(id string) string   { return "/api/sessions/" + id + "/ws" }

// startComparison validates a comparison request and creates it: a sweep
// counts one start per width against the caller's start rate limit (taken
// only once every width is valid, all or none); a group starts nothing. A
// request at fault gives field errors (fe) and starts nothing.
func startComparison(cs *session.ComparisonStore, addr string, q comparisonRequest) (c *session.Comparison, started []session.Started, fe session.FieldErrors, err error) {
	switch {
	case q.Sessions != nil && (q.Bottlenecks != nil || q.hasConfig()):
		fe = append(fe, session.FieldError{Field: "sessions", Message: `give either "sessions" (existing sessions to compare) or a configuration with "bottlenecks" (a sweep to start), not both`})
		return
	case q.Sessions != nil:
		c, err = cs.Group(q.Sessions)
		return
	case q.Bottlenecks == nil:
		fe = append(fe, session.FieldError{Field: "bottlenecks", Message: `give "bottlenecks", the widths to sweep, like [2, 4, 8, 16] (or "sessions", the ids of existing sessions to compare)`})
		return
	case q.Bottleneck != 0 || q.Given("bottleneck"):
		fe = append(fe, session.FieldError{Field: "bottleneck", Message: `a sweep takes its widths from "bottlenecks": leave "bottleneck" out`})
		return
	}
	if fe = cs.CheckSweep(q.Config, q.Bottlenecks); len(fe) > 0 {
		return
	}
	c, started, err = cs.CreateSweep(addr, q.Config, q.Bottlenecks)
	return
}

// setRetryAfter sets Retry-After when err says when to come back.
func setRetryAfter(w http.ResponseWriter, err error) {
	var e *session.Error
	if errors.As(err, &e) && e.Retry > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(e.Retry.Seconds()))))
	}
}

func handleCreateComparison(cs *session.ComparisonStore, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var q comparisonRequest
		if err := decodeJSON(w, r, &q); err != nil {
			writeError(w, r, log, err)
			return
		}
		c, started, fe, err := startComparison(cs, clientAddr(r), q)
		if len(fe) > 0 {
			writeError(w, r, log, fe.Err())
			return
		}
		if err != nil {
			setRetryAfter(w, err)
			writeError(w, r, log, err)
			return
		}
		body := comparisonCreatedBody{ID: c.ID(), URL: comparePath(c.ID())}
		tokens := map[string]string{}
		for _, s := range started {
			tokens[s.Session.ID()] = s.Token
		}
		for _, s := range c.Sessions() {
			body.Sessions = append(body.Sessions, memberCreatedBody{ID: s.ID(), OwnerToken: tokens[s.ID()], URL: sessionPagePath(s.ID())})
		}
		w.Header().Set("Location", comparisonAPI(c.ID()))
		writeJSON(w, http.StatusCreated, body)
	})
}

// comparisonBody is the answer to GET /api/comparisons/{id}: the
// comparison's description with the addresses of its members and exports.
type comparisonBody struct {
	session.ComparisonInfo
	URL       string       `json:"url"`
	Members   []memberBody `json:"members"`
	TableCSV  string       `json:"table_csv"`
	CurvesCSV string       `json:"curves_csv"`
}

type memberBody struct {
	session.MemberInfo
	URL   string `json:"url"`
	WSURL string `json:"ws_url"`
}

func newComparisonBody(c *session.Comparison) comparisonBody {
	in := c.Info()
	b := comparisonBody{ComparisonInfo: in, URL: comparePath(in.ID),
		TableCSV: comparisonAPI(in.ID) + "/table.csv", CurvesCSV: comparisonAPI(in.ID) + "/curves.csv"}
	for _, mb := range in.Members {
		b.Members = append(b.Members, memberBody{MemberInfo: mb, URL: sessionPagePath(mb.Session.ID), WSURL: sessionWSPath(mb.Session.ID)})
	}
	return b
}

func handleGetComparison(cs *session.ComparisonStore, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := cs.Get(chi.URLParam(r, "id"))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		writeJSON(w, http.StatusOK, newComparisonBody(c))
	})
}
