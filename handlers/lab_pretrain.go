package handlers

import (
	"net/url"

	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web/templates"
)

// The pretraining lab: an autoencoder learns from unlabelled digits; then
// POST /api/sessions/{id}/pretrain trains two classifiers on the same few
// labelled digits, one whose first layers start as a copy of the encoder
// and one started at random, and the page (lab-pretraining.js) shows their
// test accuracy epoch by epoch.
func init() {
	registerLab(labPage{
		Slug:    "pretraining",
		Title:   "Pretraining",
		Summary: "Start a classifier from the trained encoder, or from random weights: which learns more from 100 labels?",
		Intro: []string{
			"Labels are expensive; unlabelled data is cheap. An autoencoder first learns from thousands of unlabelled digits. Then two classifiers with the same layers learn from only a few labelled digits: one starts with the encoder's weights (pretrained), the other from random weights.",
			"Both are trained the same way on the same examples and tested after every epoch. Does the pretrained one learn faster? Does it end higher? Try fewer or more labels.",
		},
		Options: []templates.LabOption{
			{Name: "dataset", Label: "Data", Value: "mnist", Choices: imageDatasetChoices},
			{Name: "train_size", Label: "Unlabelled training examples", Value: "10000", InputMode: "numeric",
				Help: "for the autoencoder, 5 epochs; fewer train faster"},
		},
		Start: startPretraining,
	})
}

// pretrainingConfig returns the lab's autoencoder training.
func pretrainingConfig(m *session.Manager, form url.Values) (session.Config, error) {
	name, err := labDataset(m, form, "mnist", "fashion_mnist")
	if err != nil {
		return session.Config{}, err
	}
	n, err := labInt(form, "train_size", 10000, 200, 60000, "use between 200 and 60000 training examples")
	if err != nil {
		return session.Config{}, err
	}
	return session.Config{Dataset: name, Encoder: []int{256}, Bottleneck: 32, TrainSize: n, TestSize: 1000,
		Epochs: 5, BatchSize: 64, Seed: 2}, nil
}

func startPretraining(m *session.Manager, form url.Values) ([]session.Config, error) {
	c, err := pretrainingConfig(m, form)
	if err != nil {
		return nil, err
	}
	return []session.Config{c}, nil
}
