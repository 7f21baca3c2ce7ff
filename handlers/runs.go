package handlers

import (
	"log/slog"
	"net/http"
	"net/url"
	"strconv"

	"github.com/aelab/aelab/session"
)

// runsBody is the answer to GET /api/sessions: one page of the run list.
type runsBody struct {
	Sessions []session.Info `json:"sessions"`
	// NextCursor fetches the next page (null on the last one).
	NextCursor *string `json:"next_cursor"`
}

// handleListSessions lists the kept runs: filters, order and paging from
// the query string (docs/api.md).
func handleListSessions(m *session.Manager, cb *session.ClassBook, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, fe := parseRunsQuery(r.URL.Query(), m, cb, requestOwner(r))
		if err := fe.Err(); err != nil {
			writeError(w, r, log, err)
			return
		}
		page, err := m.Runs(r.Context(), q)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		body := runsBody{Sessions: page.Sessions}
		if page.Next != "" {
			body.NextCursor = &page.Next
		}
		writeJSON(w, http.StatusOK, body)
	})
}

// runStates are the states the run list filters on.
var runStates = []session.State{session.Queued, session.Running, session.Paused, session.Completed,
	session.Stopped, session.Failed, session.Interrupted}

// parseRunsQuery reads the run list's filters, order and page from v (GET
// /api/sessions and the /runs page share them): a parameter that is
// present must be valid. mine=1 selects what owner started; with no owner
// it selects nothing.
func parseRunsQuery(v url.Values, m *session.Manager, cb *session.ClassBook, owner session.Owner) (session.SessionQuery, session.FieldErrors) {
	var q session.SessionQuery
	fe := repeatedParams(v, "sessions") // the /runs page's ticked runs are a list
	bad := func(field, msg string) {
		fe = append(fe, session.FieldError{Field: field, Message: field + ": " + msg})
	}
	has := func(k string) bool { _, ok := v[k]; return ok }
	if has("dataset") {
		q.Dataset = v.Get("dataset")
		if _, err := m.Datasets().Info(q.Dataset); err != nil || q.Dataset == "" {
			bad("dataset", "there is no dataset "+strconv.Quote(truncated(q.Dataset, 40))+"; use a name from GET /api/datasets")
		}
	}
	if has("bottleneck") {
		n, err := strconv.Atoi(v.Get("bottleneck"))
		if err != nil || n < 1 || n > m.Limits().MaxWidth {
			bad("bottleneck", "must be a whole number from 1 to "+strconv.Itoa(m.Limits().MaxWidth))
		}
		q.Bottleneck = n
	}
	if has("state") {
		q.State = session.State(v.Get("state"))
		ok := false
		for _, s := range runStates {
			ok = ok || s == q.State
		}
		if !ok {
			bad("state", "must be one of queued, running, paused, completed, stopped, failed, interrupted")
		}
	}
	if has("kind") {
		q.Kind = v.Get("kind")
		if q.Kind != "ae" && q.Kind != "vae" {
			bad("kind", `must be "ae" or "vae"`)
		}
	}
	if has("mine") {
		switch v.Get("mine") {
		case "1", "true":
			q.Owner = owner
			if owner.IsZero() {
				q.IDs = []string{} // nobody started nothing
			}
		case "0", "false":
		default:
			bad("mine", `must be 1 (only the runs you started) or 0`)
		}
	}
	if has("class") {
		c, err := cb.Get(v.Get("class"))
		if err != nil {
			bad("class", "there is no class "+strconv.Quote(truncated(v.Get("class"), 40)))
		} else if q.IDs == nil {
			runs := c.Runs()
			runs = runs[max(0, len(runs)-session.MaxQueryIDs):]
			q.IDs = make([]string, len(runs))
			for i, r := range runs {
				q.IDs[i] = r.SessionID
			}
		}
	}
	q.Sort = session.SortDate
	if has("sort") {
		q.Sort = session.SessionSort(v.Get("sort"))
		if q.Sort != session.SortDate && q.Sort != session.SortTestLoss {
			bad("sort", `must be "date" (newest first) or "test_loss" (lowest first)`)
		}
	}
	if has("limit") {
		n, err := strconv.Atoi(v.Get("limit"))
		if err != nil || n < 1 || n > session.MaxRunsLimit {
			bad("limit", "must be a whole number from 1 to "+strconv.Itoa(session.MaxRunsLimit))
		}
		q.Limit = n
	}
	if has("cursor") {
		c, ok := session.ParseCursor(v.Get("cursor"))
		switch {
		case !ok:
			bad("cursor", "is not a cursor this server gave; use next_cursor from the previous page as it is")
		case c.Sort != q.Sort:
			bad("cursor", "belongs to a list sorted by "+string(c.Sort)+"; keep the same sort while paging")
		default:
			q.After = c
		}
	}
	return q, fe
}

// truncated is s cut to at most n bytes, for echoing input in messages.
func truncated(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
