package handlers

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web/templates"
)

// The feature-extraction lab: a sweep of autoencoders that differ only in
// the width of their bottleneck; once each has trained, the page
// (lab-features.js) asks POST /api/sessions/{id}/features how well a simple
// classifier does on a few labels with the latent codes as features, against
// PCA features of the same width and the raw pixels, and how pure k-means
// clusters of the codes are.
func init() {
	registerLab(labPage{
		Slug:    "features",
		Title:   "Feature extraction",
		Summary: "Use the encoder's codes as features: a few labels, a simple classifier, codes against pixels and PCA.",
		Intro: []string{
			"An encoder turns every image into a short code, learned without a single label. Are those codes good features? Train a very simple classifier (nearest neighbours or logistic regression) on just a few labelled examples per class, once on the codes, once on the raw pixels and once on PCA features of the same size, and compare the test accuracy.",
			"The lab trains several autoencoders that differ only in the width of the code, so you can see how the accuracy changes with it. k-means groups the codes into as many clusters as there are classes without looking at the labels; its purity is the share of examples that belong to the main class of their cluster.",
		},
		Options: []templates.LabOption{
			{Name: "dataset", Label: "Data", Value: "mnist", Choices: imageDatasetChoices},
			{Name: "widths", Label: "Code widths to compare", Value: "2, 8, 32",
				Help: "2 to 5 bottleneck widths, each from 1 to 256"},
			{Name: "train_size", Label: "Training examples", Value: "10000", InputMode: "numeric",
				Help: "per network, 5 epochs; fewer train faster"},
		},
		Start: startFeatures,
	})
}

// featuresConfigs returns the sweep: one training per width, the same data
// and seed.
func featuresConfigs(m *session.Manager, form url.Values) ([]session.Config, error) {
	name, err := labDataset(m, form, "mnist", "fashion_mnist")
	if err != nil {
		return nil, err
	}
	n, err := labInt(form, "train_size", 10000, 200, 60000, "use between 200 and 60000 training examples")
	if err != nil {
		return nil, err
	}
	raw := strings.TrimSpace(form.Get("widths"))
	if raw == "" {
		raw = "2, 8, 32"
	}
	widths, ok := parseWidths(raw)
	bad := &session.Error{Code: session.EInvalid, Field: "widths",
		Message: fmt.Sprintf("write 2 to 5 different widths from 1 to 256, separated by commas, like 2, 8, 32 (got %q)", raw)}
	if !ok || len(widths) < 2 || len(widths) > 5 {
		return nil, bad
	}
	seen := map[int]bool{}
	var cfgs []session.Config
	for _, w := range widths {
		if w < 1 || w > 256 || seen[w] {
			return nil, bad
		}
		seen[w] = true
		cfgs = append(cfgs, session.Config{Dataset: name, Encoder: []int{256}, Bottleneck: w, TrainSize: n,
			TestSize: 1000, Epochs: 5, BatchSize: 64, Seed: 3})
	}
	return cfgs, nil
}

func startFeatures(m *session.Manager, form url.Values) ([]session.Config, error) {
	cfgs, err := featuresConfigs(m, form)
	if err != nil {
		return nil, err
	}
	return cfgs, nil
}
