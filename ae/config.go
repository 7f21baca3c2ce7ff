package ae

import (
	"errors"
	"fmt"
)

// ErrInvalidConfig is wrapped by every error that reports a user mistake in
// a Config or in a name given to ParseActivation, ParseLoss or
// ParseOptimizer, so callers can map it with errors.Is.
var ErrInvalidConfig = errors.New("ae: invalid config")

// Sanity limits checked by Validate. They only keep a typo from asking for
// terabytes; a server should enforce its own, smaller budget.
const (
	MaxLayers    = 64      // dense layers, i.e. len(Sizes) − 1
	MaxWidth     = 1 << 20 // units in one layer
	MaxBatchSize = 1 << 16 // rows in one training batch
	MaxParams    = 1 << 26 // weights and biases (4 float32 copies with Adam: 1 GiB)
	MaxBatchWork = 1 << 26 // BatchSize × Σ layer widths (training buffers)
)

// Config describes an autoencoder and how to train it.
type Config struct {
	// Sizes are the layer widths from input to output: [K, h1, …, M, …, K].
	// The first and last must be equal: the network reconstructs its input.
	Sizes []int
	// Bottleneck is the index into Sizes of the latent layer, whose width M
	// is the code size (0 < Bottleneck < len(Sizes)−1). Encode returns that
	// layer's activations and Decode starts from it.
	Bottleneck int
	// Hidden is the activation of every hidden layer, bottleneck included
	// unless Latent says otherwise.
	Hidden Activation
	// Latent, when set, is the activation of the bottleneck layer alone
	// (Linear keeps a 2-unit code from collapsing onto a ReLU's zeros); ""
	// means Hidden.
	Latent Activation
	// Output is the activation of the output layer, typically Sigmoid for
	// data in [0, 1] or Linear for unbounded data. BCE requires Sigmoid.
	Output Activation
	// Loss is the reconstruction loss, a mean over all elements.
	Loss Loss
	// Optimizer is the update rule and its hyper-parameters.
	Optimizer Optimizer
	// BatchSize is the largest batch TrainStep accepts; the training
	// buffers are sized for it.
	BatchSize int
	// Seed seeds the one random source (a PCG) all initial weights come from.
	Seed uint64
	// Workers is the number of goroutines used for matrix products;
	// 0 means runtime.GOMAXPROCS(0). Results never depend on it.
	Workers int
}

// Validate reports the first user mistake in c, as an error wrapping
// ErrInvalidConfig that names the offending field.
func (c Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
	}
	if len(c.Sizes) < 3 {
		return bad("Sizes has %d layer widths; need at least 3 (input, latent, output)", len(c.Sizes))
	}
	if len(c.Sizes)-1 > MaxLayers {
		return bad("Sizes describes %d layers; the limit is %d", len(c.Sizes)-1, MaxLayers)
	}
	work := 0
	for i, s := range c.Sizes {
		if s < 1 || s > MaxWidth {
			return bad("Sizes[%d] = %d; every layer width must be between 1 and %d", i, s, MaxWidth)
		}
		work += s
	}
	if k, out := c.Sizes[0], c.Sizes[len(c.Sizes)-1]; k != out {
		return bad("output width %d differs from input width %d; an autoencoder reconstructs its input", out, k)
	}
	if c.Bottleneck <= 0 || c.Bottleneck >= len(c.Sizes)-1 {
		return bad("Bottleneck = %d; it must index a hidden layer of Sizes, between 1 and %d", c.Bottleneck, len(c.Sizes)-2)
	}
	if _, ok := c.Hidden.kind(); !ok {
		return bad("unknown Hidden activation %q (want one of %v)", c.Hidden, Activations())
	}
	if _, ok := c.Latent.kind(); c.Latent != "" && !ok {
		return bad("unknown Latent activation %q (want one of %v)", c.Latent, Activations())
	}
	if _, ok := c.Output.kind(); !ok {
		return bad("unknown Output activation %q (want one of %v)", c.Output, Activations())
	}
	if _, ok := c.Loss.kind(); !ok {
		return bad("unknown Loss %q (want one of %v)", c.Loss, Losses())
	}
	if c.Loss == BCE && c.Output != Sigmoid {
		return bad("the %q loss needs a %q output (outputs must be probabilities), got %q", BCE, Sigmoid, c.Output)
	}
	if err := c.Optimizer.validate(); err != nil {
		return err
	}
	if c.BatchSize < 1 || c.BatchSize > MaxBatchSize {
		return bad("BatchSize = %d; it must be between 1 and %d", c.BatchSize, MaxBatchSize)
	}
	if c.Workers < 0 {
		return bad("Workers = %d; use 0 for one per CPU, or a positive count", c.Workers)
	}
	if p := c.NumParams(); p > MaxParams {
		return bad("the network has %d parameters; the limit is %d", p, MaxParams)
	}
	if w := c.BatchSize * work; w > MaxBatchWork {
		return bad("BatchSize × Σ Sizes = %d; the limit is %d", w, MaxBatchWork)
	}
	return nil
}

// NumParams returns the number of trainable parameters (weights and biases)
// of the network described by c.Sizes: Σ (in + 1)·out over the layers. It is
// meaningful for sizes that Validate accepts.
func (c Config) NumParams() int {
	n := 0
	for l := 0; l+1 < len(c.Sizes); l++ {
		n += (c.Sizes[l] + 1) * c.Sizes[l+1]
	}
	return n
}
