package lab

// The variational-autoencoder lab's trainings (handlers/lab_vae.go).

import "github.com/aelab/aelab/session"

// VAEBetas are the KL weights the variational-autoencoder lab compares,
// from a weak pull towards the prior (sharp reconstructions, a latent
// space with gaps) to a strong one (blurry digits, a round, filled code
// that samples well). The lab shows them in this order.
var VAEBetas = []float64{0.1, 1, 4}

// VAE lab defaults and bounds: three small MNIST VAEs with a 2-D code, 10
// epochs each, about a minute for the three on two cores at the default
// training size.
const (
	VAETrainSize    = 20000
	VAEMinTrainSize = 1000
	VAEMaxTrainSize = 60000
	VAEEpochs       = 10
)

// VAEConfigs returns the trainings of the variational-autoencoder lab: one
// MNIST VAE 784 → 256 → (μ, log σ²) of 2 → 256 → 784 per β of VAEBetas,
// identical in everything else (data, seed, initial weights, order of
// the batches), so that β alone explains the differences. trainSize is
// the number of training examples (the caller checks its range).
func VAEConfigs(trainSize int) []session.Config {
	out := make([]session.Config, len(VAEBetas))
	for i, b := range VAEBetas {
		beta := b
		out[i] = session.Config{Dataset: "mnist", Kind: "vae", Beta: &beta, Encoder: []int{256}, Bottleneck: 2,
			Activation: "relu", BottleneckActivation: "linear", OutputActivation: "sigmoid", Loss: "bce",
			Optimizer: "adam", LearningRate: 0.001, BatchSize: 64, Epochs: VAEEpochs,
			TrainSize: trainSize, TestSize: 1000, Seed: 13}
	}
	return out
}
