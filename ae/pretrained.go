package ae

import (
	"fmt"
	"slices"
)

// Pretraining: a classifier whose first layers start as a copy of a trained
// encoder, so that what the autoencoder learned without labels is where
// learning with labels begins.

// NewClassifierFromEncoder returns the classifier of NewClassifier(c) whose
// first layers are a copy of the encoder of the autoencoder snapshot s: the
// layers from the input to the code, weights and biases. The layers after
// the code keep the initialisation of NewClassifier(c) (random, from the
// same seed), so the two start apart only where the encoder is.
// c.Sizes must begin with s.EncoderSizes() and have at least one layer more
// (the head), and the activations of those layers must be the encoder's
// (c.Hidden its hidden activation; CodeActivation and CodeLayer its code
// activation, if the autoencoder has its own, see Config.Latent and
// ClassifierConfigFor); otherwise it returns an error wrapping
// ErrInvalidConfig. Training then fine-tunes every layer, the copied ones
// included; s is not modified. A convolutional encoder (Config.Conv) has
// no dense classifier to start: it returns an error wrapping
// ErrInvalidConfig.
func NewClassifierFromEncoder(c ClassifierConfig, s *Snapshot) (*Classifier, error) {
	if len(s.cfg.Conv) > 0 {
		return nil, fmt.Errorf("%w: classifier: the autoencoder's encoder is convolutional; a dense classifier cannot start from it",
			ErrInvalidConfig)
	}
	enc := s.EncoderSizes()
	if len(c.Sizes) <= len(enc) || !slices.Equal(c.Sizes[:len(enc)], enc) {
		return nil, fmt.Errorf("%w: classifier: Sizes %v must start with the encoder's widths %v and add at least the class layer",
			ErrInvalidConfig, c.Sizes, enc)
	}
	for i := 1; i < len(enc); i++ {
		want := s.cfg.Hidden
		if i == s.cfg.Bottleneck && s.cfg.Latent != "" {
			want = s.cfg.Latent
		}
		if got := c.activationAt(i); got != want {
			return nil, fmt.Errorf("%w: classifier: layer %d has activation %q, the encoder's has %q",
				ErrInvalidConfig, i, got, want)
		}
	}
	cl, err := NewClassifier(c)
	if err != nil {
		return nil, err
	}
	n := Config{Sizes: enc}.NumParams() // the encoder's W and b lead both parameter vectors
	copy(cl.params[:n], s.params[:n])
	return cl, nil
}

// ClassifierConfigFor returns a classifier configuration whose first layers
// are those of the encoder of s (widths and activations), followed by a
// softmax layer over classes; the other fields are left for the caller.
func ClassifierConfigFor(s *Snapshot, classes int) ClassifierConfig {
	c := ClassifierConfig{Sizes: append(s.EncoderSizes(), classes), Hidden: s.cfg.Hidden}
	if s.cfg.Latent != "" && s.cfg.Latent != s.cfg.Hidden {
		c.CodeActivation, c.CodeLayer = s.cfg.Latent, s.cfg.Bottleneck
	}
	return c
}

// EncoderSizes returns the widths of the encoder of the snapshot's
// autoencoder, from the input to the code: [K, h1, …, M].
func (s *Snapshot) EncoderSizes() []int { return slices.Clone(s.cfg.Sizes[:s.cfg.Bottleneck+1]) }
