package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web/templates"
)

// addClassPages adds the pages of classes: creating one, its dashboard,
// joining it and its students' training form.
func addClassPages(r chi.Router, d Deps) {
	m, cb, log := d.Sessions, d.Classes, d.Logger
	r.Method(http.MethodGet, "/classes/new", onceEach(log, handleClassNewPage(log), "lock", "hide"))
	r.Method(http.MethodPost, "/classes", handleClassNewForm(cb, log))
	r.Method(http.MethodGet, "/classes/{id}", onceEach(log, handleClassPage(cb, log)))
	r.Method(http.MethodGet, "/classes/{id}/train", onceEach(log, handleClassTrainPage(m, cb, log)))
	r.Method(http.MethodPost, "/classes/{id}/runs", handleClassRunForm(m, cb, log)) // a start: rate-limited by the door
	r.Method(http.MethodGet, "/join", onceEach(log, handleJoinPage(cb, log)))
	r.Method(http.MethodGet, "/join/{code}", onceEach(log, handleJoinPage(cb, log)))
	r.Method(http.MethodPost, "/join", handleJoinForm(d.Sessions, cb, log))
}

// lessonFields are the configuration fields the class form offers, with
// their labels, in the order of the home form.
var lessonFields = []struct{ name, label string }{
	{"dataset", "Dataset"}, {"encoder", "Encoder layers"}, {"bottleneck", "Bottleneck size (M)"},
	{"decoder", "Decoder layers"}, {"activation", "Hidden activation"}, {"bottleneck_activation", "Bottleneck activation"},
	{"output_activation", "Output activation"}, {"loss", "Loss"}, {"optimizer", "Optimizer"},
	{"learning_rate", "Learning rate"}, {"batch_size", "Batch size"}, {"epochs", "Epochs"},
	{"train_size", "Training examples"}, {"seed", "Seed"},
}

func classNewView(name string, form templates.FormValues, usePreset bool, locked, hidden []string, errs map[string]string) templates.ClassNewView {
	v := templates.ClassNewView{Name: name, UsePreset: usePreset, Errors: errs}
	for _, f := range lessonFields {
		v.Fields = append(v.Fields, templates.LessonField{Name: f.name, Label: f.label, Value: form.Map()[f.name],
			Locked: contains(locked, f.name), Hidden: contains(hidden, f.name)})
	}
	return v
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func handleClassNewPage(log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		form, _ := queryForm(q)
		render(w, r, log, http.StatusOK, templates.ClassNew(classNewView(q.Get("name"), form, q.Has("preset") || len(q["lock"]) > 0,
			splitList(q["lock"]), splitList(q["hide"]), nil)))
	})
}

// handleClassNewForm creates a class from the form; this browser is its
// teacher.
func handleClassNewForm(cb *session.ClassBook, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := readForm(w, r); err != nil {
			renderError(w, r, log, err)
			return
		}
		f := r.PostForm
		prefixed := url.Values{}
		for k, vs := range f {
			if name, ok := strings.CutPrefix(k, "preset."); ok {
				prefixed[name] = vs
			}
		}
		form := formValues(prefixed)
		usePreset := f.Get("use_preset") != ""
		req := session.NewClass{Name: f.Get("name"), Locked: f["lock"], Hidden: f["hide"]}
		again := func(st int, errs map[string]string) {
			render(w, r, log, st, templates.ClassNew(classNewView(req.Name, form, usePreset, req.Locked, req.Hidden, errs)))
		}
		if usePreset {
			c, fe := parseForm(form)
			if len(fe) > 0 {
				errs := map[string]string{}
				for _, e := range fe {
					errs["preset."+e.Field] = e.Message
				}
				again(http.StatusUnprocessableEntity, errs)
				return
			}
			req.Preset = &c
		}
		c, _, err := cb.Create(clientAddr(r), req, ensureOwner(w, r))
		if err != nil {
			field := ""
			var e *session.Error
			if errors.As(err, &e) {
				field = e.Field
			}
			if field == "locked" || field == "hidden" || field == "preset" {
				field = ""
			}
			again(pageStatus(err), map[string]string{field: session.ErrorMessage(err)})
			return
		}
		http.Redirect(w, r, classPath(c.ID()), http.StatusSeeOther)
	})
}

// pageStatus is the status of a page that shows err next to the form.
func pageStatus(err error) int {
	if session.ErrorCode(err) == session.EInvalid {
		return http.StatusUnprocessableEntity
	}
	return status(session.ErrorCode(err))
}

func handleClassPage(cb *session.ClassBook, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := cb.Get(chi.URLParam(r, "id"))
		if err != nil {
			renderError(w, r, log, err)
			return
		}
		in := c.Info()
		teacher := c.IsTeacher(browserOwner(r))
		present := r.URL.Query().Has("present")
		v := templates.ClassView{ID: in.ID, Name: in.Name, Code: in.Code, Open: in.Open, JoinURL: absURL(r, joinPath(in.Code)),
			QRURL: "/api/classes/" + in.ID + "/qr.png", IsTeacher: teacher, Present: present,
			Boot: templates.ClassBoot{ID: in.ID, WSURL: "/api/classes/" + in.ID + "/ws", APIURL: "/api/classes/" + in.ID,
				Teacher: teacher, Present: present, MaxTiles: cb.Limits().MaxRuns, LossLabel: "test loss"}}
		if p := in.Lesson.Preset; p != nil {
			v.Boot.Dataset = p.Dataset
			form := configForm(*p)
			for _, f := range lessonFields {
				val := form.Map()[f.name]
				switch {
				case in.Lesson.IsLocked(f.name):
					val += " (locked)"
				case in.Lesson.IsHidden(f.name):
					val += " (hidden)"
				}
				v.Lesson = append(v.Lesson, templates.KV{Key: f.label, Value: val})
			}
		}
		render(w, r, log, http.StatusOK, templates.ClassDashboard(v))
	})
}

// classHome is the home form for a student of class c: the lesson applied.
func classHome(m *session.Manager, r *http.Request, c *session.Class, student string, form templates.FormValues, errs map[string]string) templates.HomeView {
	v := homeView(m, r, form, errs)
	l := c.Lesson()
	in := c.Info()
	v.Lesson = &templates.HomeLesson{Locked: l.Locked, Hidden: l.Hidden, Action: "/classes/" + c.ID() + "/runs",
		Page: classTrainPath(c.ID()), Banner: &templates.LessonBanner{ClassName: in.Name, ClassURL: classPath(c.ID()), Student: student, Open: in.Open}}
	return v
}

func handleClassTrainPage(m *session.Manager, cb *session.ClassBook, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := cb.Get(chi.URLParam(r, "id"))
		if err != nil {
			renderError(w, r, log, err)
			return
		}
		student, ok := c.StudentOf(browserOwner(r))
		if !ok {
			http.Redirect(w, r, joinPath(c.Code()), http.StatusSeeOther)
			return
		}
		form := defaultForm()
		if p := c.Lesson().Preset; p != nil {
			form = configForm(*p)
		}
		render(w, r, log, http.StatusOK, templates.Home(classHome(m, r, c, student, form, nil)))
	})
}

// handleClassRunForm starts a run of the class from its form.
func handleClassRunForm(m *session.Manager, cb *session.ClassBook, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := cb.Get(chi.URLParam(r, "id"))
		if err != nil {
			renderError(w, r, log, err)
			return
		}
		if err := readForm(w, r); err != nil {
			renderError(w, r, log, err)
			return
		}
		if err := repeatedFormField(r.PostForm); err != nil { // the home form's fields: one value each
			renderError(w, r, log, err)
			return
		}
		o := browserOwner(r)
		student, ok := c.StudentOf(o)
		if !ok {
			http.Redirect(w, r, joinPath(c.Code()), http.StatusSeeOther)
			return
		}
		v := formValues(r.PostForm)
		cfg, fe := parseForm(v)
		present := map[string]bool{}
		for _, f := range lessonFields {
			if r.PostForm.Has(f.name) && (f.name != "decoder" || v.Decoder != "") && (f.name != "train_size" || v.TrainSize != "") {
				present[f.name] = true
			}
		}
		if len(fe) == 0 {
			var full session.Config
			var lfe session.FieldErrors
			full, lfe = c.Lesson().Apply(cfg, present)
			fe = append(lfe, func() session.FieldErrors { _, _, e := m.Check(full); return e }()...)
		}
		if len(fe) > 0 {
			render(w, r, log, http.StatusUnprocessableEntity, templates.Home(classHome(m, r, c, student, v, formErrors(fe))))
			return
		}
		s, _, err := c.StartRunFrom(clientAddr(r), o, cfg, present)
		if err != nil {
			render(w, r, log, pageStatus(err), templates.Home(classHome(m, r, c, student, v, map[string]string{"": session.ErrorMessage(err)})))
			return
		}
		http.Redirect(w, r, sessionPagePath(s.ID()), http.StatusSeeOther)
	})
}

func handleJoinPage(cb *session.ClassBook, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code := chi.URLParam(r, "code")
		if code == "" {
			code = r.URL.Query().Get("code")
		}
		v := templates.JoinView{Code: session.NormalizeCode(code)}
		if c, err := cb.ByCode(code); code != "" && err == nil {
			v.ClassName = c.Name()
			if _, ok := c.StudentOf(browserOwner(r)); ok {
				http.Redirect(w, r, classTrainPath(c.ID()), http.StatusSeeOther)
				return
			}
		}
		render(w, r, log, http.StatusOK, templates.Join(v))
	})
}

// handleJoinForm joins a class as this browser and opens its form.
func handleJoinForm(m *session.Manager, cb *session.ClassBook, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := readForm(w, r); err != nil {
			renderError(w, r, log, err)
			return
		}
		v := templates.JoinView{Code: strings.TrimSpace(r.PostForm.Get("code")), Name: strings.TrimSpace(r.PostForm.Get("name"))}
		fail := func(err error) {
			field := "name"
			var e *session.Error
			if errors.As(err, &e) && e.Field != "" {
				field = e.Field
			} else if session.ErrorCode(err) != session.EInvalid {
				field = ""
			}
			v.Errors = map[string]string{field: session.ErrorMessage(err)}
			render(w, r, log, pageStatus(err), templates.Join(v))
		}
		if err := checkJoinLimit(m, r); err != nil {
			setRetryAfter(w, err)
			fail(err)
			return
		}
		c, err := cb.ByCode(v.Code)
		if err != nil {
			fail(err)
			return
		}
		v.ClassName = c.Name()
		_, _, _, err = c.Join(v.Name, ensureOwner(w, r))
		var taken *session.NameTaken
		if errors.As(err, &taken) {
			v.Suggestion = taken.Suggestion
		}
		if err != nil {
			fail(err)
			return
		}
		http.Redirect(w, r, classTrainPath(c.ID()), http.StatusSeeOther)
	})
}

// splitList reads lists given as repeated keys or separated by commas
// ("lock=dataset,bottleneck"), keeping the names of lesson fields only.
func splitList(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); session.IsLessonField(f) && !contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}
