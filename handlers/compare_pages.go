package handlers

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web/templates"
)

// handleFormCompare starts a comparison from the home page: the config form
// submitted with its "Compare bottleneck sizes" button (a field
// "bottlenecks" is present: a sweep), or the recent sessions' "Compare
// selected" form (fields "sessions": a group). It redirects to the compare
// page, or shows the home page again with the message next to the field at
// fault.
func handleFormCompare(m *session.Manager, cs *session.ComparisonStore, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := readForm(w, r); err != nil {
			renderError(w, r, log, err)
			return
		}
		// "sessions" is the ticked group; every other field is one value
		// (a second bottlenecks or dataset would be dropped unseen).
		if err := repeatedFormField(r.PostForm, "sessions"); err != nil {
			renderError(w, r, log, err)
			return
		}
		var (
			q    comparisonRequest
			form = defaultForm()
			fe   session.FieldErrors
			text = strings.TrimSpace(r.PostForm.Get("bottlenecks"))
		)
		if r.PostForm.Has("bottlenecks") {
			form = formValues(r.PostForm)
			swept := form
			swept.Bottleneck = "" // the sweep's widths replace it
			c, parseErrs := parseForm(swept)
			fe = append(fe, parseErrs...)
			widths, ok := parseWidths(text)
			if !ok {
				fe = append(fe, session.FieldError{Field: "bottlenecks", Message: "write the widths as whole numbers separated by commas, like 2, 4, 8, 16"})
			}
			q = comparisonRequest{Config: c, Bottlenecks: widths}
		} else {
			q.Sessions = r.PostForm["sessions"]
			if q.Sessions == nil {
				q.Sessions = []string{}
			}
		}
		again := func(st int, errs map[string]string) {
			v := homeView(m, r, form, errs)
			v.Compare = templates.CompareForm{Bottlenecks: text, Selected: q.Sessions}
			render(w, r, log, st, templates.Home(v))
		}
		if len(fe) > 0 {
			again(http.StatusUnprocessableEntity, formErrors(fe))
			return
		}
		c, started, fe, err := startComparison(cs, clientAddr(r), q)
		switch {
		case len(fe) > 0:
			again(http.StatusUnprocessableEntity, formErrors(fe))
			return
		case session.ErrorCode(err) == session.EInternal:
			renderError(w, r, log, err)
			return
		case err != nil:
			field := session.ErrorField(err)
			st := status(session.ErrorCode(err))
			if st == http.StatusBadRequest {
				st = http.StatusUnprocessableEntity // as for the other form messages
			}
			setRetryAfter(w, err)
			again(st, map[string]string{field: session.ErrorMessage(err)})
			return
		}
		owner := ensureOwner(w, r)
		for _, s := range started {
			s.Session.SetOwner(owner)
		}
		http.Redirect(w, r, comparePath(c.ID()), http.StatusSeeOther)
	})
}

func handleComparePage(m *session.Manager, cs *session.ComparisonStore, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := cs.Get(chi.URLParam(r, "id"))
		if err != nil {
			renderError(w, r, log, err)
			return
		}
		v := compareView(c, m)
		v.Present = r.URL.Query().Has("present")
		render(w, r, log, http.StatusOK, templates.Compare(v))
	})
}

func compareView(c *session.Comparison, m *session.Manager) templates.CompareView {
	in := c.Info()
	v := templates.CompareView{ID: in.ID, Kind: string(in.Kind),
		TableCSV: comparisonAPI(in.ID) + "/table.csv", CurvesCSV: comparisonAPI(in.ID) + "/curves.csv",
		Boot: templates.CompareBoot{ID: in.ID, APIURL: comparisonAPI(in.ID), Kind: string(in.Kind), Differs: []string{}}}
	for _, d := range in.Differs {
		v.Differs = append(v.Differs, d.Text)
		v.Boot.Differs = append(v.Boot.Differs, d.Field)
	}
	datasets := map[string]bool{}
	for i, mb := range in.Members {
		s := mb.Session
		datasets[s.Config.Dataset] = true
		run := templates.CompareRun{ID: s.ID, Label: mb.Label, URL: sessionPagePath(s.ID), State: string(s.State), Color: i,
			Bottleneck: s.Summary.Bottleneck, Ratio: s.Summary.Ratio, Params: s.Summary.Params, Loss: strings.ToUpper(s.Config.Loss)}
		if s.TestLoss != nil {
			run.TestLoss = strconv.FormatFloat(*s.TestLoss, 'g', 4, 64)
		}
		if mb.PCA.MSE != nil {
			run.PCA = strconv.FormatFloat(*mb.PCA.MSE, 'g', 4, 64)
		}
		if s.Config.Loss != "mse" {
			v.MixedLoss = true
		}
		v.Runs = append(v.Runs, run)
		v.Boot.Runs = append(v.Boot.Runs, templates.CompareBootRun{ID: s.ID, Label: mb.Label, WSURL: sessionWSPath(s.ID),
			URL: run.URL, State: run.State, Color: i, Dataset: s.Config.Dataset, Bottleneck: s.Summary.Bottleneck, Features: s.Summary.Features,
			Ratio: s.Summary.Ratio, Params: s.Summary.Params, Loss: s.Config.Loss})
	}
	title := "Comparison of " + strconv.Itoa(len(in.Members)) + " sessions"
	if in.Kind == session.Sweep {
		title = "Bottleneck sweep"
	}
	if len(datasets) == 1 && len(in.Members) > 0 {
		first := in.Members[0].Session
		name := first.Config.Dataset
		if info, err := m.Datasets().Info(name); err == nil {
			name = info.Title
		}
		title += " · " + name
		if in.Kind == session.Sweep {
			v.Network = sweepArrow(first.Summary.Sizes, len(first.Config.Encoder)+1)
		}
	}
	v.Title = title
	return v
}

// sweepArrow writes layer widths with the swept one as M:
// "784 → 32 → M → 32 → 784".
func sweepArrow(sizes []int, code int) string {
	parts := make([]string, len(sizes))
	for i, s := range sizes {
		parts[i] = strconv.Itoa(s)
	}
	if code >= 0 && code < len(parts) {
		parts[code] = "M"
	}
	return strings.Join(parts, " → ")
}
