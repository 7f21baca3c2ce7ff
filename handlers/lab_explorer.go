package handlers

import (
	"net/url"
	"strings"

	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web/templates"
)

// The latent explorer: one MNIST autoencoder whose latent space students
// explore while it trains, by decoding points, grids and lines of codes
// through the snapshot API (lab-explorer.js).
func init() {
	registerLab(labPage{
		Slug:    "explorer",
		Title:   "Latent explorer",
		Summary: "Click anywhere in the latent space and see what the decoder draws there; morph one digit into another.",
		Intro: []string{
			"The encoder squeezes each 784-pixel digit into a code of a few numbers: a point of the latent space. The decoder turns any point back into an image, even a point that no digit was encoded to.",
			"With two units the latent space is the plane of the scatter plot: click or drag on it to decode that point, and look at the manifold, the decoder's drawings over a regular grid. With more units, pick two digits and watch the decoder morph one into the other, move one unit at a time with the sliders, and find the dead units that carry nothing.",
			"Everything works while the network is still training: watch the map sharpen.",
		},
		Options: []templates.LabOption{
			{Name: "bottleneck", Label: "Latent units (M)", Value: "2",
				Help: "2 gives the clickable map and the manifold; more units encode better but need the sliders",
				Choices: []templates.Choice{{Value: "2", Label: "2 (a plane)"}, {Value: "3", Label: "3"}, {Value: "4", Label: "4"},
					{Value: "8", Label: "8"}, {Value: "16", Label: "16"}, {Value: "32", Label: "32"}}},
			{Name: "activation", Label: "Activation", Value: "relu",
				Help: "tanh and sigmoid units can saturate and die: see the variance bars",
				Choices: []templates.Choice{{Value: "relu", Label: "ReLU"}, {Value: "leaky_relu", Label: "leaky ReLU"},
					{Value: "elu", Label: "ELU"}, {Value: "tanh", Label: "tanh"}, {Value: "sigmoid", Label: "sigmoid"}}},
			{Name: "train_size", Label: "Training examples", Value: "10000", InputMode: "numeric",
				Help: "fewer train faster; 20 epochs either way"},
		},
		Start: startExplorer,
	})
}

// explorerConfig is the explorer's ready-made training.
func explorerConfig(form url.Values) (session.Config, error) {
	// A linear code layer: a 2-unit ReLU code often collapses onto its zeros.
	c := session.Config{Dataset: "mnist", Encoder: []int{256}, Bottleneck: 2, Activation: "relu", BottleneckActivation: "linear",
		TrainSize: 10000, TestSize: 1000, Epochs: 20, BatchSize: 64, Seed: 7}
	var err error
	if c.Bottleneck, err = labInt(form, "bottleneck", 2, 2, 64, "choose between 2 and 64 latent units"); err != nil {
		return c, err
	}
	if v := strings.TrimSpace(form.Get("activation")); v != "" {
		c.Activation = v // the session's validation names the accepted ones
	}
	if c.TrainSize, err = labInt(form, "train_size", 10000, 100, 60000, "use between 100 and 60000 training examples"); err != nil {
		return c, err
	}
	return c, nil
}

func startExplorer(m *session.Manager, form url.Values) ([]session.Config, error) {
	c, err := explorerConfig(form)
	if err != nil {
		return nil, err
	}
	return []session.Config{c}, nil
}
