package handlers

import (
	"net/url"
	"strconv"

	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web/templates"
)

// The anomaly-detection lab: an autoencoder trained on "normal" examples
// only reconstructs them well and everything else badly, so its
// reconstruction error flags anomalies. The session streams `anomaly`
// messages (docs/protocol.md); the page (lab-anomaly.js) draws the score
// histograms of normal and anomalous test examples, a threshold slider with
// precision, recall and F1, the ROC curve with its AUC, and the gallery of
// the highest scorers.
func init() {
	classes := make([]templates.Choice, 10)
	for i := range classes {
		classes[i] = templates.Choice{Value: strconv.Itoa(i), Label: "digit " + strconv.Itoa(i)}
	}
	registerLab(labPage{
		Slug:    "anomaly",
		Title:   "Anomaly detection",
		Summary: "Train on normal examples only, then flag what the network reconstructs badly.",
		Intro: []string{
			"An autoencoder learns to reconstruct the kind of data it is trained on. Train it on every digit but one, and it draws those digits well and the missing one badly: its reconstruction error becomes an anomaly score.",
			"Move the threshold: every test example scoring above it is flagged. Precision is the share of flagged examples that really are anomalies, recall the share of anomalies caught. The ROC curve shows every threshold at once; its area (AUC) is 1 for a perfect detector and 0.5 for a coin toss.",
		},
		Options: []templates.LabOption{
			{Name: "dataset", Label: "Data", Value: "mnist", Choices: append(append([]templates.Choice(nil), imageDatasetChoices...),
				templates.Choice{Value: "sine_waves", Label: "Sine waves with glitches (time series)"})},
			{Name: "anomaly", Label: "The anomaly (left out of training)", Value: "0", Choices: classes,
				Help: "the network trains on every other class; sine waves: it trains on the clean waves"},
			{Name: "train_size", Label: "Training examples", Value: "10000", InputMode: "numeric",
				Help: "of the normal classes; fewer train faster"},
		},
		Start: startAnomaly,
	})
}

// anomalyConfig returns the lab's training for the submitted options.
func anomalyConfig(m *session.Manager, form url.Values) (session.Config, error) {
	name, err := labDataset(m, form, "mnist", "fashion_mnist", "sine_waves")
	if err != nil {
		return session.Config{}, err
	}
	info, _ := m.Datasets().Info(name)
	n, err := labInt(form, "train_size", 10000, 100, 60000, "use between 100 and 60000 training examples")
	if err != nil {
		return session.Config{}, err
	}
	c := session.Config{Dataset: name, Encoder: []int{128}, Bottleneck: 16, Epochs: 5, BatchSize: 64, Seed: 5,
		TrainSize: min(n, info.TrainSize), TestSize: min(2000, info.TestSize)}
	if name == "sine_waves" {
		// Train on the clean waves; the glitched ones are the anomalies.
		c.Encoder, c.Bottleneck, c.Epochs, c.BatchSize = []int{64}, 8, 60, 32
		c.TrainClasses = []int{0}
		return c, nil
	}
	out, err := labInt(form, "anomaly", 0, 0, len(info.ClassNames)-1, "choose the class to leave out of training")
	if err != nil {
		return session.Config{}, err
	}
	for k := range info.ClassNames {
		if k != out {
			c.TrainClasses = append(c.TrainClasses, k)
		}
	}
	return c, nil
}

func startAnomaly(m *session.Manager, form url.Values) ([]session.Config, error) {
	c, err := anomalyConfig(m, form)
	if err != nil {
		return nil, err
	}
	return []session.Config{c}, nil
}
