package handlers

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web/templates"
)

// Lesson presets without a class: a link a teacher puts on a slide.
// /?preset=<name> starts the form from a named preset; the form's own
// fields in the address (/?dataset=mnist&bottleneck=2) set or override
// fields; lock= and hide= (comma-separated or repeated) lock or hide them.

// lessonPresets are the named presets of /?preset=.
var lessonPresets = map[string]session.Config{
	// The textbook MNIST autoencoder.
	"first": {Dataset: "mnist", Encoder: []int{256}, Bottleneck: 50, Activation: "relu", BottleneckActivation: "linear",
		OutputActivation: "sigmoid", Loss: "mse", Optimizer: "adam", LearningRate: 0.001, BatchSize: 64, Epochs: 5, Seed: 1},
	// A 2-unit code: the latent space is the scatter itself.
	"two-d": {Dataset: "mnist", Encoder: []int{256}, Bottleneck: 2, Activation: "relu", BottleneckActivation: "linear",
		OutputActivation: "sigmoid", Loss: "mse", Optimizer: "adam", LearningRate: 0.001, BatchSize: 64, Epochs: 5, Seed: 1},
	// Seconds per run: a generated 3-D swiss roll squeezed into 2.
	"swiss-roll": {Dataset: "swiss_roll", Encoder: []int{32}, Bottleneck: 2, Activation: "tanh", BottleneckActivation: "linear",
		OutputActivation: "linear", Loss: "mse", Optimizer: "adam", LearningRate: 0.01, BatchSize: 32, Epochs: 10, Seed: 1},
}

// presetForm is the home form of a named preset (/?preset=two-d), with the
// fields the address also gives; false when q names no preset.
func presetForm(q url.Values) (templates.FormValues, bool) {
	p, ok := lessonPresets[q.Get("preset")]
	if !ok {
		return templates.FormValues{}, false
	}
	form := configForm(p)
	given, set := queryForm(q)
	g := given.Map()
	for name := range set {
		setFormField(&form, name, g[name])
	}
	return form, true
}

// applyLesson locks and hides the fields that q lists.
func applyLesson(v *templates.HomeView, q url.Values) {
	locked, hidden := splitList(q["lock"]), splitList(q["hide"])
	if len(locked)+len(hidden) > 0 {
		v.Lesson = &templates.HomeLesson{Locked: locked, Hidden: hidden}
	}
}

// presentSession sets up the presenter view of a session page (?present):
// the label names the student of a class run, the width and the data.
func presentSession(v *templates.SessionView, s *session.Session, cb *session.ClassBook, r *http.Request) {
	v.Present = r.URL.Query().Has("present")
	label := "M = " + strconv.Itoa(s.Config().Bottleneck) + " · " + s.Config().Dataset
	if c := cb.OfRun(s.ID()); c != nil {
		if name, ok := c.RunStudent(s.ID()); ok {
			label = name + " · " + label
		}
	}
	v.PresentLabel = label
}
