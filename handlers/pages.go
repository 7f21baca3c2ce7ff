package handlers

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/aelab/aelab/datasets"
	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web/templates"
)

// maxFormBody bounds the body of a page's form.
const maxFormBody = 64 << 10

// readForm reads the body of a page's form (at most maxFormBody bytes)
// into r.PostForm; its error says what is wrong in the words of the page,
// not of net/http or net/url.
func readForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	err := r.ParseForm()
	var (
		mbe *http.MaxBytesError
		esc url.EscapeError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &mbe):
		return &session.Error{Code: codeTooLarge, Message: fmt.Sprintf("the form is larger than %d KiB: shorten what was typed in it", maxFormBody>>10)}
	case errors.As(err, &esc):
		return session.Errorf(session.EInvalid, "the form's body is not well-formed URL encoding (%q is not a %%-escape of two hexadecimal digits): send it from the page again", string(esc))
	}
	return session.Errorf(session.EInvalid, "the form's body could not be read (it is not URL-encoded form data): send it from the page again")
}

// handleHome shows the new-session form, every field of which the address may
// set (/?dataset=mnist&encoder=256&bottleneck=50&loss=bce&epochs=5): what
// "Copy link", "Train again" and Back use.
func handleHome(m *session.Manager, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if form, ok := presetForm(q); ok {
			v := homeView(m, r, form, nil)
			applyLesson(&v, q)
			render(w, r, log, http.StatusOK, templates.Home(v))
			return
		}
		form, set := queryForm(q)
		v := homeView(m, r, form, nil)
		preselect(m, &v, q.Get("dataset"))
		if info, err := m.Datasets().Info(v.Form.Dataset); err == nil && set["dataset"] {
			fitShape(&v.Form, info.Features, set)
		}
		// What the address says wins over what preselect fitted.
		given := form.Map()
		for name := range set {
			setFormField(&v.Form, name, given[name])
		}
		applyLesson(&v, q)
		render(w, r, log, http.StatusOK, templates.Home(v))
	})
}

// handleFormCreate starts a session from the home page form, or shows the
// form again with a message next to each field at fault. A valid start over
// the rate limit gets the form back too, with its values, the message and the
// seconds to wait (429 and Retry-After), which the page counts down.
func handleFormCreate(m *session.Manager, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := readForm(w, r); err != nil {
			renderError(w, r, log, err)
			return
		}
		// Every field of the form is one value: a second one would be
		// dropped unseen (formValues takes the first).
		if err := repeatedFormField(r.PostForm); err != nil {
			renderError(w, r, log, err)
			return
		}
		v := formValues(r.PostForm)
		c, fe := parseForm(v)
		if len(fe) == 0 {
			_, _, fe = m.Check(c)
		}
		if len(fe) > 0 {
			render(w, r, log, http.StatusUnprocessableEntity, templates.Home(homeView(m, r, v, formErrors(fe))))
			return
		}
		started, err := m.Start(clientAddr(r), c)
		if err != nil {
			setRetryAfter(w, err)
			if session.ErrorCode(err) == session.EInternal {
				renderError(w, r, log, err)
				return
			}
			st := status(session.ErrorCode(err))
			hv := homeView(m, r, v, map[string]string{"": session.ErrorMessage(err)})
			var e *session.Error
			if errors.As(err, &e) && e.Code == session.ERateLimited {
				hv.RetryAfter = int(math.Ceil(e.Retry.Seconds())) // the page counts it down
			}
			render(w, r, log, st, templates.Home(hv))
			return
		}
		s := started[0].Session
		s.SetOwner(ensureOwner(w, r))
		http.Redirect(w, r, "/sessions/"+s.ID(), http.StatusSeeOther)
	})
}

func handleSessionPage(m *session.Manager, cb *session.ClassBook, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := m.Get(chi.URLParam(r, "id"))
		if err != nil {
			renderError(w, r, log, err)
			return
		}
		expireLegacyCookies(w, r)
		v := sessionView(s, m, s.OwnedBy(browserOwner(r)))
		presentSession(&v, s, cb, r)
		render(w, r, log, http.StatusOK, templates.Session(v))
	})
}

// homeView is the home page for the browser of r: the built-in datasets
// and its own uploads (others' uploads are reached by name or link).
func homeView(m *session.Manager, r *http.Request, form templates.FormValues, errs map[string]string) templates.HomeView {
	v := templates.HomeView{Form: form, Defaults: defaultForm(), Errors: errs,
		Activations:           choices(session.Choices.Activation),
		Kinds:                 choices(session.Choices.Kind),
		Inits:                 append([]templates.Choice{{Value: "", Label: "default for the model"}}, choices(session.Choices.Init)...),
		BottleneckActivations: choices(session.Choices.Activation),
		OutputActivations:     choices(session.Choices.OutputActivation),
		Losses:                choices(session.Choices.Loss),
		Optimizers:            choices(session.Choices.Optimizer),
	}
	for _, d := range m.Datasets().ListFor(ownerKey(browserOwner(r))) {
		v.Datasets = append(v.Datasets, datasetOption(d))
	}
	lim := m.Limits()
	v.Limits = []templates.LimitRow{
		{Field: "encoder", Text: fmt.Sprintf("up to %d hidden layers, each 1 to %d units", lim.MaxLayers, lim.MaxWidth)},
		{Field: "bottleneck", Text: "1 to K − 1 (smaller than the input, or it learns the identity)"},
		{Field: "decoder", Text: "blank mirrors the encoder"},
		{Field: "learning_rate", Text: fmt.Sprintf("above 0, at most %g", lim.MaxLearnRate)},
		{Field: "batch_size", Text: fmt.Sprintf("1 to %d", lim.MaxBatch)},
		{Field: "epochs", Text: fmt.Sprintf("1 to %d, and epochs × examples at most %s", lim.MaxEpochs, strconv.Itoa(lim.MaxWork))},
		{Field: "train_size", Text: "blank uses the whole training split"},
		{Field: "params", Text: fmt.Sprintf("at most %d parameters in all", lim.MaxParams)},
	}
	v.Upload = uploadView()
	for _, l := range labs {
		v.Labs = append(v.Labs, templates.LabCard{Slug: l.Slug, Title: l.Title, Summary: l.Summary, URL: "/labs/" + l.Slug})
	}
	for i, s := range m.List() {
		if i == 20 {
			break
		}
		v.Recent = append(v.Recent, sessionRow(s))
	}
	return v
}

// shownClasses is how many class names a dataset card shows (and the page
// carries); the card says how many there are in all.
const shownClasses = 10

// datasetOption is a dataset's card: what the page shows and its script
// needs, not every class name of an upload.
func datasetOption(d datasets.Info) templates.DatasetOption {
	names := d.ClassNames
	if len(names) > shownClasses {
		names = names[:shownClasses]
	}
	return templates.DatasetOption{Name: d.Name, Title: d.Title, Description: d.Description,
		Features: d.Features, Width: d.Shape.Width, Height: d.Shape.Height, TrainSize: d.TrainSize, TestSize: d.TestSize,
		ClassNames: names, Classes: len(d.ClassNames), ValueMin: d.ValueRange[0], ValueMax: d.ValueRange[1],
		Available: d.Available, Reason: d.Reason}
}

func choices(values []string) []templates.Choice {
	out := make([]templates.Choice, len(values))
	for i, v := range values {
		out[i] = templates.Choice{Value: v, Label: choiceLabels[v]}
		if out[i].Label == "" {
			out[i].Label = v
		}
	}
	return out
}

var choiceLabels = map[string]string{
	"ae": "plain autoencoder", "vae": "variational (VAE)", "he": "He / Glorot", "pytorch": "PyTorch default",
	"relu": "ReLU", "leaky_relu": "Leaky ReLU", "elu": "ELU", "tanh": "tanh", "sigmoid": "sigmoid",
	"linear": "linear (none)", "mse": "mean squared error (MSE)", "bce": "binary cross-entropy (BCE)",
	"l1": "mean absolute error (L1)", "adam": "Adam", "momentum": "SGD with momentum", "sgd": "plain SGD",
}

func sessionTitle(s *session.Session, m *session.Manager) string {
	name := s.Config().Dataset
	if in, err := m.Datasets().Info(name); err == nil {
		name = in.Title
	}
	return name + " · " + s.Summary().Network()
}

func sessionRow(s *session.Session) templates.SessionRow {
	in := s.Info()
	row := templates.SessionRow{ID: in.ID, Title: s.Config().Dataset + " · " + in.Summary.Network(),
		State: string(in.State), URL: "/sessions/" + in.ID}
	if in.TestLoss != nil {
		row.TestLoss = strconv.FormatFloat(*in.TestLoss, 'g', 4, 64)
	}
	return row
}

func sessionView(s *session.Session, m *session.Manager, owner bool) templates.SessionView {
	in := s.Info()
	c := in.Config
	train := "all"
	if c.TrainSize > 0 {
		train = strconv.Itoa(c.TrainSize)
	}
	kv := []templates.KV{
		{Key: "Layers", Value: in.Summary.Network()},
		{Key: "Compression", Value: fmt.Sprintf("%d → %d (%.1f×)", in.Summary.Features, in.Summary.Bottleneck, in.Summary.Ratio)},
		{Key: "Parameters", Value: groupDigits(in.Summary.Params)},
		{Key: "Activation", Value: activationSummary(c)},
		{Key: "Loss", Value: choiceLabels[c.Loss]},
		{Key: "Optimizer", Value: fmt.Sprintf("%s, learning rate %g", choiceLabels[c.Optimizer], c.LearningRate)},
		{Key: "Batch size", Value: strconv.Itoa(c.BatchSize)},
		{Key: "Epochs", Value: strconv.Itoa(c.Epochs)},
		{Key: "Training examples", Value: train},
		{Key: "Seed", Value: strconv.FormatUint(c.Seed, 10)},
		{Key: "Created", Value: in.CreatedAt.UTC().Format(time.RFC1123)},
	}
	if c.IsVAE() {
		kv = slices.Insert(kv, 0, templates.KV{Key: "Kind", Value: fmt.Sprintf("variational autoencoder, β = %g", c.BetaValue())})
	}
	if c.Init != "" {
		kv = append(kv, templates.KV{Key: "Initial weights", Value: initLabels[c.Init]})
	}
	if c.IsDenoising() {
		kv = append(kv, templates.KV{Key: "Training noise", Value: fmt.Sprintf("%s, level %g", noiseLabels[c.Noise.Kind], c.Noise.Level)})
	}
	if c.Sparsity > 0 {
		kv = append(kv, templates.KV{Key: "Sparsity (L1 on the code)", Value: strconv.FormatFloat(c.Sparsity, 'g', -1, 64)})
	}
	if c.WeightDecay > 0 {
		kv = append(kv, templates.KV{Key: "Weight decay (L2)", Value: strconv.FormatFloat(c.WeightDecay, 'g', -1, 64)})
	}
	v := templates.SessionView{ID: in.ID, Title: sessionTitle(s, m), State: string(in.State), IsOwner: owner,
		Error: in.Error, Generative: c.IsVAE(), Denoising: c.IsDenoising(), Config: kv, Boot: templates.SessionBoot{ID: in.ID, WSURL: "/api/sessions/" + in.ID + "/ws",
			APIURL: "/api/sessions/" + in.ID, Owner: owner},
		RetrainURL: "/?" + formQuery(configForm(c))}
	if in.TestLoss != nil {
		v.TestLoss = strconv.FormatFloat(*in.TestLoss, 'g', 4, 64)
	}
	if r := in.ResumedAt; r != nil {
		v.ResumedAt = fmt.Sprintf("Resumed at epoch %s, step %s after the server stopped", groupDigits(r.Epoch), groupDigits(r.Step))
	}
	return v
}

// initLabels name the schemes of initial weights as the session page shows them.
var initLabels = map[string]string{"he": "He/Glorot, zero biases", "pytorch": "PyTorch's nn.Linear default, U(±1/√fan_in)"}

// noiseLabels name the kinds of training noise as the pages show them.
var noiseLabels = map[string]string{"gaussian": "Gaussian", "masking": "masking", "salt_pepper": "salt and pepper"}

// activationSummary names the activations of a configuration, e.g.
// "ReLU, code linear (none), output sigmoid".
func activationSummary(c session.Config) string {
	s := choiceLabels[c.Activation]
	if c.BottleneckActivation != "" && c.BottleneckActivation != c.Activation {
		s += ", code " + choiceLabels[c.BottleneckActivation]
	}
	return s + ", output " + choiceLabels[c.OutputActivation]
}
