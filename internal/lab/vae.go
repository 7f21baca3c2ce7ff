package lab

// The variational-autoencoder lab's trainings (handlers/lab_vae.go).

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/aelab/aelab/session"
)

// VAEBetas are the KL weights the variational-autoencoder lab compares by
// default, from a weak pull towards the prior (sharp reconstructions, a
// latent space with gaps) to a strong one (blurry digits, a round, filled
// code that samples well). The lab shows them in this order.
var VAEBetas = []float64{0.1, 1, 4}

// VAE lab defaults and bounds: three small MNIST VAEs with a 2-D code, 10
// epochs each (1 min 56 s for the three at the default training size,
// measured on a shared 2-core machine).
const (
	VAETrainSize    = 20000
	VAEMinTrainSize = 1000
	VAEMaxTrainSize = 60000
	VAEEpochs       = 10
	// VAEMinBetas and VAEMaxBetas bound how many β the lab compares: the
	// page puts them side by side on one screen.
	VAEMinBetas = 2
	VAEMaxBetas = 3
)

// ParseVAEBetas reads the lab's "betas" option: 2 or 3 different numbers
// from session.MinBeta to session.MaxBeta, separated by commas or spaces;
// blank means VAEBetas. They are returned in increasing order. A bad list
// is refused with an error on the field "betas" that says what to write.
func ParseVAEBetas(s string) ([]float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return slices.Clone(VAEBetas), nil
	}
	bad := func(why string) error {
		return &session.Error{Code: session.EInvalid, Field: "betas", Message: fmt.Sprintf(
			"%s: write %d or %d different values of β from %g to %g, separated by commas, like 0.1, 1, 4 (got %q)",
			why, VAEMinBetas, VAEMaxBetas, session.MinBeta, float64(session.MaxBeta), s)}
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' })
	out := make([]float64, 0, len(fields))
	for _, f := range fields {
		b, err := strconv.ParseFloat(f, 64)
		switch {
		case err != nil || math.IsNaN(b) || math.IsInf(b, 0):
			return nil, bad(fmt.Sprintf("%q is not a number", f))
		case !session.BetaInRange(b):
			return nil, bad(fmt.Sprintf("β = %s is out of range", f))
		case slices.Contains(out, b):
			return nil, bad(fmt.Sprintf("β = %s is listed twice", f))
		}
		out = append(out, b)
	}
	if len(out) < VAEMinBetas || len(out) > VAEMaxBetas {
		return nil, bad(fmt.Sprintf("%d values", len(out)))
	}
	slices.Sort(out)
	return out, nil
}

// VAEConfigs returns the trainings of the variational-autoencoder lab: one
// MNIST VAE 784 → 256 → (μ, log σ²) of 2 → 256 → 784 per β, in the order
// given, identical in everything else (data, seed, initial weights, order
// of the batches), so that β alone explains the differences. trainSize is
// the number of training examples (the caller checks its range, and the
// betas with ParseVAEBetas).
func VAEConfigs(trainSize int, betas []float64) []session.Config {
	out := make([]session.Config, len(betas))
	for i, b := range betas {
		beta := b
		out[i] = session.Config{Dataset: "mnist", Kind: "vae", Beta: &beta, Encoder: []int{256}, Bottleneck: 2,
			Activation: "relu", BottleneckActivation: "linear", OutputActivation: "sigmoid", Loss: "bce",
			Optimizer: "adam", LearningRate: 0.001, BatchSize: 64, Epochs: VAEEpochs,
			TrainSize: trainSize, TestSize: 1000, Seed: 13}
	}
	return out
}
