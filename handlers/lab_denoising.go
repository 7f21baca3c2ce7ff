package handlers

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/aelab/aelab/analysis"
	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web/templates"
)

// The denoising lab: an MNIST autoencoder trained on corrupted inputs with
// clean targets, beside (optionally) a plain one on the same data; the page
// (lab-denoising.js) shows noisy / clean / denoised triplets, the PSNR of
// the noisy inputs and of the outputs per epoch, and the trained models
// under a noise level of the student's choice (POST …/denoise).
func init() {
	registerLab(labPage{
		Slug:    "denoising",
		Title:   "Denoising",
		Summary: "Train on noisy digits with clean targets: the network learns to remove the noise.",
		Intro: []string{
			"A denoising autoencoder sees a corrupted digit (random noise added, pixels wiped out, or salt and pepper) and is scored on how well it draws the clean one. To do that it must learn what digits look like, so it keeps the strokes and drops the noise.",
			"PSNR (peak signal-to-noise ratio, in decibels) measures how close an image is to the clean original: higher is better, and every 3 dB halves the error. Watch the denoised outputs pull away from the noisy inputs, then try the trained network on weaker or stronger noise than it was trained on.",
		},
		Options: []templates.LabOption{
			{Name: "noise", Label: "Noise", Value: analysis.NoiseGaussian,
				Choices: []templates.Choice{{Value: analysis.NoiseGaussian, Label: "Gaussian (add random noise)"},
					{Value: analysis.NoiseMasking, Label: "masking (wipe out pixels)"},
					{Value: analysis.NoiseSaltPepper, Label: "salt and pepper"}}},
			{Name: "level", Label: "Noise level", Value: "0.5", InputMode: "decimal",
				Help: "Gaussian: σ, 0 to 1; masking, salt and pepper: the fraction of pixels hit, 0 to 1"},
			{Name: "compare", Label: "Also train a plain autoencoder", Value: "yes",
				Help:    "the same network trained on clean inputs, to compare on noisy ones",
				Choices: []templates.Choice{{Value: "yes", Label: "yes, for comparison"}, {Value: "no", Label: "no"}}},
			{Name: "train_size", Label: "Training examples", Value: "10000", InputMode: "numeric",
				Help: "fewer train faster; 10 epochs either way"},
		},
		Start: startDenoising,
	})
}

// denoisingConfigs returns the lab's trainings: the denoiser first, then
// (when compare is on) the plain autoencoder.
func denoisingConfigs(form url.Values) ([]session.Config, error) {
	c := session.Config{Dataset: "mnist", Encoder: []int{256}, Bottleneck: 32, TrainSize: 10000, TestSize: 1000,
		Epochs: 10, BatchSize: 64, Seed: 11}
	kind := strings.TrimSpace(form.Get("noise"))
	if kind == "" {
		kind = analysis.NoiseGaussian
	}
	level := 0.5
	if v := strings.TrimSpace(form.Get("level")); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, &session.Error{Code: session.EInvalid, Field: "level", Message: fmt.Sprintf("%q is not a number: write e.g. 0.5", v)}
		}
		level = f
	}
	switch kind {
	case analysis.NoiseGaussian, analysis.NoiseMasking, analysis.NoiseSaltPepper:
	default:
		return nil, &session.Error{Code: session.EInvalid, Field: "noise", Message: "choose Gaussian, masking or salt and pepper noise"}
	}
	if !(level > 0 && level <= 1) {
		return nil, &session.Error{Code: session.EInvalid, Field: "level",
			Message: "the noise level must be above 0 and at most 1 (σ of Gaussian noise, or the fraction of pixels hit)"}
	}
	var err error
	if c.TrainSize, err = labInt(form, "train_size", 10000, 100, 60000, "use between 100 and 60000 training examples"); err != nil {
		return nil, err
	}
	plain := c
	c.Noise = &session.NoiseConfig{Kind: kind, Level: level}
	if form.Get("compare") == "no" {
		return []session.Config{c}, nil
	}
	return []session.Config{c, plain}, nil
}

func startDenoising(m *session.Manager, form url.Values) ([]session.Config, error) {
	cfgs, err := denoisingConfigs(form)
	if err != nil {
		return nil, err
	}
	return cfgs, nil
}
