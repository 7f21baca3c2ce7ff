package handlers

import (
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web/templates"
)

// handleRunsPage renders /runs: one page of the kept runs with the filters
// of GET /api/sessions (a bad value is shown beside its filter, with the
// unfiltered list).
func handleRunsPage(m *session.Manager, cb *session.ClassBook, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := r.URL.Query()
		view := templates.RunsView{
			Filters: templates.RunsFilters{Dataset: v.Get("dataset"), Bottleneck: v.Get("bottleneck"),
				State: v.Get("state"), Mine: v.Get("mine") == "1", Sort: v.Get("sort")},
			Sorts: []templates.Choice{{Value: string(session.SortDate), Label: "Date (newest first)"},
				{Value: string(session.SortTestLoss), Label: "Test loss (lowest first)"}},
			Selected: v["sessions"],
		}
		for _, d := range m.Datasets().List() {
			view.Datasets = append(view.Datasets, templates.Choice{Value: d.Name, Label: d.Title})
		}
		for _, s := range runStates {
			view.States = append(view.States, templates.Choice{Value: string(s), Label: string(s)})
		}
		// Empty fields of the filter form mean "any".
		for _, k := range []string{"dataset", "bottleneck", "state", "sort", "mine"} {
			if v.Get(k) == "" {
				v.Del(k)
			}
		}
		st := http.StatusOK
		q, fe := parseRunsQuery(v, m, cb, browserOwner(r))
		if len(fe) > 0 {
			st, view.Errors = http.StatusBadRequest, map[string]string{}
			for _, e := range fe {
				field := e.Field
				if !slices.Contains(runsPageFields, field) {
					field = "" // about no filter (a parameter given twice): shown above the list
				}
				if view.Errors[field] == "" {
					view.Errors[field] = e.Message
				} else if field == "" {
					view.Errors[""] += "; " + e.Message
				}
			}
			q = session.SessionQuery{Sort: session.SortDate}
		}
		if view.Filters.Sort == "" {
			view.Filters.Sort = string(q.Sort)
		}
		page, err := m.Runs(r.Context(), q)
		if err != nil {
			renderError(w, r, log, err)
			return
		}
		for _, in := range page.Sessions {
			view.Rows = append(view.Rows, runRow(m, in))
		}
		if page.Next != "" {
			next := url.Values{}
			for k, vs := range v {
				if k != "cursor" {
					next[k] = vs
				}
			}
			next.Set("cursor", page.Next)
			view.NextURL = "/runs?" + next.Encode()
		}
		if v.Has("cursor") {
			first := url.Values{}
			for k, vs := range v {
				if k != "cursor" {
					first[k] = vs
				}
			}
			view.FirstURL = "/runs"
			if len(first) > 0 {
				view.FirstURL += "?" + first.Encode()
			}
		}
		render(w, r, log, st, templates.Runs(view))
	})
}

// runRow is one run of /runs.
func runRow(m *session.Manager, in session.Info) templates.RunRow {
	title := in.Config.Dataset
	if d, err := m.Datasets().Info(title); err == nil {
		title = d.Title
	}
	if in.Summary.Params > 0 {
		title += " · " + in.Summary.Network()
	}
	row := templates.RunRow{
		SessionRow: templates.SessionRow{ID: in.ID, Title: title, State: string(in.State), URL: "/sessions/" + in.ID},
		Dataset:    in.Config.Dataset, Bottleneck: in.Config.Bottleneck, Kind: in.Config.Kind,
		Created: in.CreatedAt.UTC().Format("2006-01-02 15:04") + " UTC", CreatedISO: in.CreatedAt.UTC().Format(time.RFC3339),
	}
	if in.TestLoss != nil {
		row.TestLoss = strconv.FormatFloat(*in.TestLoss, 'g', 4, 64)
	}
	return row
}

// runsPageFields are the query parameters the runs page shows an error
// beside (the filters) or under (limit, cursor, kind, class, mine); an
// error about any other is shown under the form too, as a whole.
var runsPageFields = []string{"dataset", "bottleneck", "state", "sort", "limit", "cursor", "kind", "class", "mine"}
