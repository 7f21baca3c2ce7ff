package handlers

import (
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web/templates"
)

// labPage is one of the "uses of autoencoders" labs at /labs/{slug}: a page
// that explains a use in a few sentences, starts ready-made trainings with
// one click, and shows the figure that makes the point (drawn by the lab's
// own ES module, /static/js/lab-{slug}.js).
type labPage struct {
	Slug    string
	Title   string
	Summary string   // one line for the index
	Intro   []string // two or three short paragraphs for students
	// Options are extra fields of the start form (e.g. which class is the
	// anomaly); Start reads them back from the submitted form.
	Options []templates.LabOption
	// Start returns the configurations of the lab's runs from the submitted
	// options, in the order the page shows them; they are started together
	// as one action (one rate token, all or none).
	Start func(m *session.Manager, form url.Values) ([]session.Config, error)
	// Sweep, set instead of Start, makes the lab a sweep of bottleneck
	// widths: it returns the configuration every run shares and the widths;
	// the runs are started as a comparison (so /compare/{id} shows them too),
	// each width counting as one start against the address's rate limit.
	Sweep func(form url.Values) (session.Config, []int, error)
}

// labs lists every lab, in the order the index shows them. Each lab's
// definition lives in its own file (lab_*.go).
var labs []labPage

// labOrder is the order the index shows the labs in: from the use closest
// to the definition (a non-linear PCA) to the latent space itself.
var labOrder = []string{"pca", "compression", "denoising", "anomaly", "features", "pretraining", "explorer", "vae"}

// registerLab adds a lab to the index; lab files call it from init.
func registerLab(l labPage) {
	labs = append(labs, l)
	rank := func(slug string) int {
		if i := slices.Index(labOrder, slug); i >= 0 {
			return i
		}
		return len(labOrder)
	}
	slices.SortStableFunc(labs, func(a, b labPage) int { return rank(a.Slug) - rank(b.Slug) })
}

func findLab(slug string) (labPage, bool) {
	for _, l := range labs {
		if l.Slug == slug {
			return l, true
		}
	}
	return labPage{}, false
}

func handleLabsIndex(log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := templates.LabsIndexView{}
		for _, l := range labs {
			v.Labs = append(v.Labs, templates.LabCard{Slug: l.Slug, Title: l.Title, Summary: l.Summary, URL: "/labs/" + l.Slug})
		}
		render(w, r, log, http.StatusOK, templates.LabsIndex(v))
	})
}

// handleLabPage shows a lab: its explanation and start form, and, once
// started (the session ids are in the query, ?s=id,id), its live figure.
func handleLabPage(m *session.Manager, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l, ok := findLab(chi.URLParam(r, "slug"))
		if !ok {
			renderError(w, r, log, session.Errorf(session.ENotFound, "there is no lab %q: see /labs", chi.URLParam(r, "slug")))
			return
		}
		render(w, r, log, http.StatusOK, templates.Lab(labView(l, m, r, nil)))
	})
}

func labView(l labPage, m *session.Manager, r *http.Request, errs map[string]string) templates.LabView {
	v := templates.LabView{Slug: l.Slug, Title: l.Title, Intro: l.Intro, Options: l.Options, Errors: errs,
		Script: "/static/js/lab-" + l.Slug + ".js"}
	// The options as last submitted: from the form itself, or from the
	// address the start redirected to, so that "Start again" repeats them.
	chosen := r.URL.Query()
	if r.Method == http.MethodPost {
		chosen = r.PostForm
	}
	v.Options = slices.Clone(v.Options)
	for i, o := range v.Options {
		if val := chosen.Get(o.Name); val != "" {
			v.Options[i].Value = val
		}
	}
	for _, id := range strings.Split(r.URL.Query().Get("s"), ",") {
		s, err := m.Get(strings.TrimSpace(id))
		if err != nil {
			continue
		}
		owner := s.OwnedBy(browserOwner(r))
		in := s.Info()
		v.Sessions = append(v.Sessions, templates.LabSession{ID: s.ID(), Title: sessionTitle(s, m),
			State: string(in.State), URL: "/sessions/" + s.ID(), WSURL: "/api/sessions/" + s.ID() + "/ws",
			APIURL: "/api/sessions/" + s.ID(), Owner: owner, Bottleneck: in.Summary.Bottleneck,
			Activation: in.Config.Activation, Beta: labBeta(in.Config)})
	}
	return v
}

// labBeta is a VAE's KL weight for the lab's script (0 for a plain autoencoder).
func labBeta(c session.Config) float64 {
	if !c.IsVAE() {
		return 0
	}
	return c.BetaValue()
}

// handleLabStart creates a lab's sessions and shows them on the lab page,
// with the owner cookies set so that this browser may control them.
func handleLabStart(m *session.Manager, cs *session.ComparisonStore, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l, ok := findLab(chi.URLParam(r, "slug"))
		if !ok {
			renderError(w, r, log, session.Errorf(session.ENotFound, "there is no lab %q: see /labs", chi.URLParam(r, "slug")))
			return
		}
		if err := readForm(w, r); err != nil {
			renderError(w, r, log, err)
			return
		}
		var (
			started []*session.Session
			query   string // what the lab page's address carries besides the sessions
			err     error
		)
		// Every option of a lab is one value: a second one would be
		// dropped unseen.
		err = repeatedFormField(r.PostForm)
		switch {
		case err != nil:
		case l.Sweep != nil:
			started, _, query, err = startLabSweep(l, cs, r)
		default:
			var cfgs []session.Config
			if cfgs, err = l.Start(m, r.PostForm); err == nil {
				started, _, err = startAll(m, clientAddr(r), cfgs...) // the browser's key, not the tokens, owns them
			}
		}
		if err != nil {
			errs := map[string]string{"": session.ErrorMessage(err)}
			if f := session.ErrorField(err); f != "" {
				errs[f] = session.ErrorMessage(err)
			}
			st := status(session.ErrorCode(err))
			if st >= 500 && session.ErrorCode(err) != session.EUnavailable {
				log.Error("lab start failed", "lab", l.Slug, "err", err)
			}
			setRetryAfter(w, err)
			render(w, r, log, st, templates.Lab(labView(l, m, r, errs)))
			return
		}
		ids := make([]string, len(started))
		owner := ensureOwner(w, r)
		for i, s := range started {
			ids[i] = s.ID()
			s.SetOwner(owner)
		}
		for _, o := range l.Options {
			if val := r.PostForm.Get(o.Name); val != "" {
				query += "&" + url.QueryEscape(o.Name) + "=" + url.QueryEscape(val)
			}
		}
		http.Redirect(w, r, fmt.Sprintf("/labs/%s?s=%s%s", l.Slug, strings.Join(ids, ","), query), http.StatusSeeOther)
	})
}

// repeatedFormField refuses a form that gives a field more than once,
// naming the first such field; the fields in multi take a list.
func repeatedFormField(form url.Values, multi ...string) error {
	for _, k := range slices.Sorted(maps.Keys(form)) {
		if n := len(form[k]); n > 1 && !slices.Contains(multi, k) {
			return &session.Error{Code: session.EInvalid, Field: truncated(k, 40),
				Message: fmt.Sprintf("the field %q is given %d times: give it once", truncated(k, 40), n)}
		}
	}
	return nil
}

// startLabSweep starts a sweep lab's runs as a comparison; query names the
// comparison for the lab page (&c=id). Width errors are reported on the
// lab's "widths" option.
func startLabSweep(l labPage, cs *session.ComparisonStore, r *http.Request) ([]*session.Session, []string, string, error) {
	base, widths, err := l.Sweep(r.PostForm)
	if err != nil {
		return nil, nil, "", err
	}
	c, started, fe, err := startComparison(cs, clientAddr(r), comparisonRequest{Config: base, Bottlenecks: widths})
	if len(fe) > 0 {
		field := fe[0].Field
		if field == "bottlenecks" || field == "bottleneck" {
			field = "widths"
		}
		return nil, nil, "", &session.Error{Code: session.EInvalid, Field: field, Message: fe[0].Message}
	}
	if err != nil {
		return nil, nil, "", err
	}
	sessions := make([]*session.Session, len(started))
	tokens := make([]string, len(started))
	for i, s := range started {
		sessions[i], tokens[i] = s.Session, s.Token
	}
	return sessions, tokens, "&c=" + c.ID(), nil
}

// startAll starts the configurations as one action of addr, admitted by
// the door whole or not at all.
func startAll(m *session.Manager, addr string, cfgs ...session.Config) ([]*session.Session, []string, error) {
	st, err := m.Start(addr, cfgs...)
	if err != nil {
		return nil, nil, err
	}
	out := make([]*session.Session, len(st))
	tokens := make([]string, len(st))
	for i, x := range st {
		out[i], tokens[i] = x.Session, x.Token
	}
	return out, tokens, nil
}
