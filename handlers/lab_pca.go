package handlers

import (
	"net/url"

	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web/templates"
)

// The "against PCA" lab: two MNIST autoencoders with the same k-unit code,
// one entirely linear (no hidden layers, linear code and output, MSE) and
// one with a ReLU hidden layer on each side. The page (lab-pca.js) puts each
// one's latent scatter beside PCA's (GET /api/sessions/{id}/pca-projection),
// their test errors beside PCA's at the same k, and their loss curves under
// the dashed PCA line: the linear one meets it, the non-linear one goes
// below.
func init() {
	registerLab(labPage{
		Slug:    "pca",
		Title:   "Against PCA",
		Summary: "A linear autoencoder learns what PCA finds; a non-linear one beats it with the same code size.",
		Intro: []string{
			"PCA (principal component analysis) is the best linear code: no other way of squeezing an image into k numbers with straight lines and planes loses less. An autoencoder whose layers are all linear, trained with the mean squared error, ends up learning the same k-dimensional subspace, so its error meets PCA's.",
			"Give the autoencoder non-linear layers (ReLU) and it may bend its code around the data: with the same k numbers it reconstructs the digits better than PCA can. Watch both loss curves against the dashed PCA line.",
		},
		Options: []templates.LabOption{
			{Name: "bottleneck", Label: "Code size k", Value: "8",
				Help: "the same for both networks and for PCA; with 2 the scatters show the codes themselves",
				Choices: []templates.Choice{{Value: "2", Label: "2 numbers"}, {Value: "8", Label: "8 numbers"},
					{Value: "16", Label: "16 numbers"}, {Value: "32", Label: "32 numbers"}}},
			{Name: "train_size", Label: "Training examples", Value: "10000", InputMode: "numeric",
				Help: "MNIST digits, 5 epochs; fewer train faster"},
		},
		Start: startPCA,
	})
}

// pcaConfigs returns the lab's two trainings: the linear autoencoder first,
// then the non-linear one; the same data, seed and code size.
func pcaConfigs(form url.Values) ([]session.Config, error) {
	k, err := labInt(form, "bottleneck", 8, 1, 64, "the code size must be a whole number from 1 to 64")
	if err != nil {
		return nil, err
	}
	n, err := labInt(form, "train_size", 10000, 500, 60000, "use between 500 and 60000 training examples")
	if err != nil {
		return nil, err
	}
	base := session.Config{Dataset: "mnist", Bottleneck: k, Loss: "mse", TrainSize: n, TestSize: 1000,
		Epochs: 5, BatchSize: 64, Seed: 7}
	linear := base
	linear.Encoder, linear.Decoder = []int{}, []int{}
	linear.Activation, linear.BottleneckActivation, linear.OutputActivation = "linear", "linear", "linear"
	linear.LearningRate = 0.003 // a linear network converges onto PCA within the 5 epochs
	deep := base
	deep.Encoder = []int{256}
	deep.Activation, deep.BottleneckActivation, deep.OutputActivation = "relu", "linear", "sigmoid"
	return []session.Config{linear, deep}, nil
}

func startPCA(m *session.Manager, form url.Values) ([]session.Config, error) {
	cfgs, err := pcaConfigs(form)
	if err != nil {
		return nil, err
	}
	return cfgs, nil
}
