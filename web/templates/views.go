// Package templates holds aelab's pages as small, pure templ components. Each takes a view struct
// that the HTTP handlers fill in; nothing here does I/O or knows about sessions or training.
package templates

import "slices"

// Choice is one option of a select: the submitted Value and the Label shown to the user.
type Choice struct{ Value, Label string }

// DatasetOption describes a dataset the user may train on: its size, shape, classes and whether it
// can be used on this server right now (Reason says why not when Available is false).
type DatasetOption struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Features    int    `json:"features"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	TrainSize   int    `json:"train_size"`
	TestSize    int    `json:"test_size"`
	// ClassNames are the first few class names (at most 10); Classes
	// counts them all.
	ClassNames []string `json:"class_names"`
	Classes    int      `json:"classes"`
	ValueMin   float32  `json:"value_min"`
	ValueMax   float32  `json:"value_max"`
	Available  bool     `json:"available"`
	Reason     string   `json:"reason,omitempty"`
}

// FormValues are the new-session form's fields exactly as the user typed them, e.g. Encoder "256"
// or "512, 128". An empty Decoder means the mirror image of the encoder; an empty TrainSize means
// the whole training split.
type FormValues struct {
	Dataset, Encoder, Bottleneck, Decoder, Activation, OutputActivation, Loss, Optimizer,
	LearningRate, BatchSize, Epochs, TrainSize, Seed string
	BottleneckActivation string // "" = linear (session.Config.Defaults)
	// Kind is "ae" or "vae"; Beta, Sparsity and WeightDecay are blank for the defaults.
	Kind, Beta, Sparsity, WeightDecay string
	// Conv lists convolutional layers as typed, e.g. "16, 32" or "16/5/1"; empty: a dense model.
	Conv string
	// Noise is the training-time corruption of a denoising autoencoder ("none", "gaussian",
	// "masking", "salt_pepper"; blank: none) and NoiseLevel its level as typed.
	Noise, NoiseLevel string
	// Init is the initial weights' scheme ("he", "pytorch"; blank: the engine's default for the
	// model), TestSize the test examples evaluated (blank: all) and TrainClasses the classes trained
	// on, as typed, e.g. "0, 1" (blank: every class).
	Init, TestSize, TrainClasses string
}

// Map returns the values by form field name (FieldNames), e.g. {"encoder": "512, 128"}.
func (f FormValues) Map() map[string]string {
	return map[string]string{
		"dataset": f.Dataset, "encoder": f.Encoder, "bottleneck": f.Bottleneck, "decoder": f.Decoder,
		"activation": f.Activation, "bottleneck_activation": f.BottleneckActivation, "output_activation": f.OutputActivation,
		"loss": f.Loss, "optimizer": f.Optimizer, "learning_rate": f.LearningRate, "batch_size": f.BatchSize,
		"epochs": f.Epochs, "train_size": f.TrainSize, "seed": f.Seed,
		"kind": f.Kind, "beta": f.Beta, "sparsity": f.Sparsity, "weight_decay": f.WeightDecay, "conv": f.Conv,
		"noise": f.Noise, "noise_level": f.NoiseLevel,
		"init": f.Init, "test_size": f.TestSize, "train_classes": f.TrainClasses,
	}
}

// LimitRow is one line of help about the allowed values of a form field, e.g.
// {"bottleneck", "1 to K−1"}. Field is a form field name (see FieldNames) or free text.
type LimitRow struct {
	Field string `json:"field"`
	Text  string `json:"text"`
}

// SessionRow is one recent session listed on the home page.
type SessionRow struct{ ID, Title, State, TestLoss, URL string }

// HomeView is everything the home page (the new-session form) shows.
type HomeView struct {
	Datasets []DatasetOption
	Form     FormValues
	// Defaults is what the form shows when nothing is given: the address leaves these out, and
	// choosing a dataset brings them back in the fields the user did not set.
	Defaults FormValues
	// Errors maps a form field name to its message; the key "" holds a form-level message.
	Errors                                             map[string]string
	Activations, OutputActivations, Losses, Optimizers []Choice
	BottleneckActivations                              []Choice
	Kinds                                              []Choice
	// Inits are the schemes of the initial weights, the engine's default ("") first.
	Inits  []Choice
	Limits []LimitRow
	Recent []SessionRow
	// Labs are the "uses of autoencoders" labs, one click away.
	Labs []LabCard
	// Upload is the "Use your own data (CSV)" section.
	Upload UploadView
	// RetryAfter is how many seconds a refused start asks the user to wait (rate limit), 0 for none;
	// the page counts it down.
	RetryAfter int
	// Compare holds the comparison controls: the sweep's widths and the ticked sessions.
	Compare CompareForm
	// Lesson, when set, locks or hides some fields (a lesson preset) and may
	// put the form in a class.
	Lesson *HomeLesson
}

// HomeLesson is a lesson preset applied to the form: fields locked (shown
// disabled) or hidden, and for a class the banner and the form's target.
type HomeLesson struct {
	Locked, Hidden []string
	Banner         *LessonBanner // nil: a preset without a class
	Action         string        // where the form posts; "" is /sessions
	Page           string        // the form's own address (a class's training form); "" is /
}

// IsLocked reports whether field f is locked; a nil lesson locks nothing.
func (l *HomeLesson) IsLocked(f string) bool { return l != nil && slices.Contains(l.Locked, f) }

// IsHidden reports whether field f is hidden; a nil lesson hides nothing.
func (l *HomeLesson) IsHidden(f string) bool { return l != nil && slices.Contains(l.Hidden, f) }

// InClass reports whether the form starts runs in a class.
func (v HomeView) InClass() bool { return v.Lesson != nil && v.Lesson.Banner != nil }

// FormAction is where the form posts.
func (v HomeView) FormAction() string {
	if v.Lesson != nil && v.Lesson.Action != "" {
		return v.Lesson.Action
	}
	return "/sessions"
}

// FormPage is the address of the form itself, which its values are put
// after (so reload and Back keep them) and a refused start comes back to.
func (v HomeView) FormPage() string {
	if v.Lesson != nil && v.Lesson.Page != "" {
		return v.Lesson.Page
	}
	return "/"
}

// KV is one row of a key/value table, e.g. a line of a session's configuration.
type KV struct{ Key, Value string }

// SessionBoot is handed to the session page's JavaScript as JSON (script id "session-boot").
type SessionBoot struct {
	ID string `json:"id"`
	// WSURL is the WebSocket path, e.g. /api/sessions/ab12/ws; the scheme comes from the page.
	WSURL string `json:"ws_url"`
	// APIURL is the session's API path, e.g. /api/sessions/ab12 (controls POST to APIURL+"/pause").
	APIURL string `json:"api_url"`
	// Owner is true when this browser started the session and may pause, resume or stop it.
	Owner bool `json:"owner"`
}

// SessionView is everything the live session page shows before its JavaScript takes over.
type SessionView struct {
	ID, Title, State string
	// Present is the presenter view (?present): one screen for the wall,
	// with PresentLabel (student, width, data) in large type.
	Present      bool
	PresentLabel string
	IsOwner      bool
	// ResumedAt says where the run resumed after an interruption, e.g.
	// "Resumed at epoch 3, step 1,400" ("" if it never did).
	ResumedAt string
	Config    []KV
	Boot      SessionBoot
	// TestLoss is the latest test loss already formatted (optional; shown when the state is final).
	TestLoss string
	// Error is why the session failed (optional; shown when State is "failed").
	Error string
	// RetrainURL is the home form filled with this session's configuration ("Train again"),
	// e.g. /?dataset=mnist&encoder=256&bottleneck=50&….
	RetrainURL string
	// Generative is true for a variational autoencoder: the page shows a grid of examples
	// decoded from codes drawn from its prior ("new digits").
	Generative bool
	// Denoising is true for a run trained on corrupted inputs: the owner's live controls can
	// change its noise.
	Denoising bool
}

// ErrorView is an error page: the HTTP status, a short title and a longer message.
type ErrorView struct {
	Status         int
	Title, Message string
}

// FieldNames lists the new-session form's field names in the order the form shows them. The
// handlers read these names from the POSTed form and use them as keys of HomeView.Errors.
var FieldNames = []string{
	"dataset", "kind", "beta", "encoder", "bottleneck", "decoder", "conv", "activation", "bottleneck_activation", "output_activation", "init", "loss",
	"optimizer", "learning_rate", "sparsity", "weight_decay", "noise", "noise_level", "batch_size", "epochs", "train_size", "test_size", "train_classes", "seed",
}
