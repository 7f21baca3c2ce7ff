package handlers

import (
	"fmt"
	"net/url"

	"github.com/aelab/aelab/internal/lab"
	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web/templates"
)

// The variational-autoencoder lab: two or three MNIST VAEs with a 2-D code
// that differ only in β (by default lab.VAEBetas: 0.1, 1 and 4), started
// as one action. The page
// (lab-vae.js) shows, side by side for each β, new digits decoded from
// prior samples (POST …/generate, the same codes for all three), the
// manifold over the prior (GET …/manifold?span=prior), the scatter of the
// test digits' μ from the stream, and the reconstruction and KL parts of
// the loss.
func init() {
	registerLab(labPage{
		Slug:    "vae",
		Title:   "Variational autoencoder",
		Summary: "Can it draw new digits? Three VAEs with a 2-D code, β = 0.1, 1 and 4, side by side.",
		Intro: []string{
			"A variational autoencoder's encoder gives each digit a small cloud of codes instead of one point: a mean μ and a spread σ. Its loss has two parts: the reconstruction error (how well the decoder draws the digit back from a code in its cloud) and the KL divergence (how far the clouds are from the prior, a round standard normal N(0, I)). β weighs the KL part.",
			"Then new digits come for free: draw a code from the prior and decode it. Small β: sharp reconstructions, but the codes spread out and leave gaps, so random codes often decode to smudges. Large β: the codes fill the prior's circle smoothly and every random code gives a plausible digit, but blurrier ones, and similar digits merge. Look at the holes in the scatters, the blur in the grids, and which KL and reconstruction each β settles on.",
		},
		Options: []templates.LabOption{
			{Name: "betas", Label: "Values of β to compare", Value: "0.1, 1, 4",
				Help: fmt.Sprintf("%d or %d, each from %g to %d", lab.VAEMinBetas, lab.VAEMaxBetas, session.MinBeta, session.MaxBeta)},
			{Name: "train_size", Label: "Training examples", Value: fmt.Sprint(lab.VAETrainSize), InputMode: "numeric",
				Help: fmt.Sprintf("per network, %d epochs; fewer train faster", lab.VAEEpochs)},
		},
		Start: startVAELab,
	})
}

func startVAELab(_ *session.Manager, form url.Values) ([]session.Config, error) {
	n, err := labInt(form, "train_size", lab.VAETrainSize, lab.VAEMinTrainSize, lab.VAEMaxTrainSize,
		fmt.Sprintf("use between %d and %d training examples", lab.VAEMinTrainSize, lab.VAEMaxTrainSize))
	if err != nil {
		return nil, err
	}
	betas, err := lab.ParseVAEBetas(form.Get("betas"))
	if err != nil {
		return nil, err
	}
	return lab.VAEConfigs(n, betas), nil
}
