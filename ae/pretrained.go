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
		if i == s.cfg.Bottleneck {
			want = s.cfg.codeActivation()
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
	copyEncoder(cl.params, s.params, s.cfg)
	return cl, nil
}

// copyEncoder copies the encoder's weights and biases (layers 0 to
// Bottleneck−1, which lead both parameter vectors) from an autoencoder's
// params into a classifier's dst. Row r of each W goes over whole, except
// at a VAE's code layer, whose outputs are [μ | log σ²]: there the first M
// columns (μ's weights) and biases go over, so the classifier's code is μ.
func copyEncoder(dst, src []float32, c Config) {
	d, o := 0, 0
	for l := 0; l < c.Bottleneck; l++ {
		in, out, srcOut := c.Sizes[l], c.Sizes[l+1], c.layerOut(l)
		for r := 0; r <= in; r++ { // in rows of W, then the bias row
			copy(dst[d+r*out:d+(r+1)*out], src[o+r*srcOut:o+r*srcOut+out])
		}
		d += (in + 1) * out
		o += (in + 1) * srcOut
	}
}

// ClassifierConfigFor returns a classifier configuration whose first layers
// are those of the encoder of s (widths and activations), followed by a
// softmax layer over classes; the other fields are left for the caller.
func ClassifierConfigFor(s *Snapshot, classes int) ClassifierConfig {
	c := ClassifierConfig{Sizes: append(s.EncoderSizes(), classes), Hidden: s.cfg.Hidden}
	if code := s.cfg.codeActivation(); code != s.cfg.Hidden {
		c.CodeActivation, c.CodeLayer = code, s.cfg.Bottleneck
	}
	return c
}

// EncoderSizes returns the widths of the encoder of the snapshot's
// autoencoder, from the input to the code: [K, h1, …, M].
func (s *Snapshot) EncoderSizes() []int { return slices.Clone(s.cfg.Sizes[:s.cfg.Bottleneck+1]) }
