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

// Kind names a kind of autoencoder.
type Kind string

// The supported kinds.
const (
	// AE is the plain autoencoder: the bottleneck layer's activations are
	// the code.
	AE Kind = "ae"
	// VAE is the variational autoencoder (Kingma & Welling, 2014): the
	// encoder's last layer outputs the mean μ and the log-variance log σ² of
	// a Gaussian over codes, the decoder reads a sample z = μ + σ·ε of it,
	// and the loss per example is the reconstruction loss summed over the
	// features plus Beta × KL(q(z|x) ‖ N(0, I)) (see vae.go).
	VAE Kind = "vae"
)

// Kinds returns every supported kind, in a stable order.
func Kinds() []Kind { return []Kind{AE, VAE} }

// ParseKind returns the kind named by s (case and surrounding spaces do not
// matter; "" is AE). An unknown name returns an error wrapping
// ErrInvalidConfig.
func ParseKind(s string) (Kind, error) {
	k := Kind(normalizeName(s))
	switch k {
	case "", AE:
		return AE, nil
	case VAE:
		return VAE, nil
	}
	return "", fmt.Errorf("%w: unknown kind %q (want one of %v)", ErrInvalidConfig, s, Kinds())
}

// DefaultBeta is the weight of a VAE's KL term where Config.Beta is 0.
const DefaultBeta = 1

// MaxBeta, MaxSparsity and MaxWeightDecay bound the regularisation weights
// (larger ones only drown the reconstruction).
const (
	MaxBeta        = 1000
	MaxSparsity    = 1000
	MaxWeightDecay = 10
)

// Config describes an autoencoder and how to train it.
type Config struct {
	// Kind is AE (also "") or VAE.
	Kind Kind
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
	// Init is the scheme of the initial weights (init.go): InitHe (He/Glorot,
	// zero biases), InitPyTorch (PyTorch's nn.Linear default), or "" for the
	// model's default: InitHe for a dense model, InitPyTorch for a
	// convolutional one. The convolutions themselves always start from
	// PyTorch's default.
	Init Init
	// Workers is the number of goroutines used for matrix products;
	// 0 means runtime.GOMAXPROCS(0). Results never depend on it.
	Workers int

	// Beta (VAE only) weighs the KL term of the loss; 0 means DefaultBeta.
	// β > 1 trades sharper reconstructions for a smoother, fuller code
	// space; β < 1 the other way.
	Beta float64
	// Sparsity λₛ ≥ 0 adds an L1 penalty on the code's activity (the
	// bottleneck activations; μ for a VAE), measured like the
	// reconstruction loss: λₛ × mean |code| over the n×M code values for an
	// AE, λₛ × Σⱼ |μⱼ| per example for a VAE (regularise.go). 0 is off.
	Sparsity float64
	// WeightDecay λ ≥ 0 is an L2 penalty λ/2·Σ W² on the weights (biases
	// are not decayed). SGD and Momentum add its gradient λ·W to the
	// weights' gradients; Adam decays decoupled, as AdamW: W ← W·(1 − η·λ)
	// before each step (regularise.go). 0 is off. (Optimizer.WeightDecay is
	// torch's coupled decay of every parameter; it is not reported in the
	// loss parts.)
	WeightDecay float64

	// Conv, when not empty, makes a convolutional autoencoder (convnet.go):
	// these convolutions (Hidden activation) run on the input image before
	// the dense layers, whose first input and last output are then the
	// last convolution's flattened output instead of Sizes[0]; the decoder
	// mirrors them with transposed convolutions back to the image (the last
	// with the Output activation). Sizes[0] stays the input width.
	Conv []ConvLayer
	// Image is the input's shape as an image, needed by Conv; its Size()
	// must be Sizes[0].
	Image ImageShape
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
	switch c.Kind {
	case "", AE:
	case VAE:
		if c.Latent != "" && c.Latent != Linear {
			return bad("Latent = %q; a VAE's code layer (μ and log σ²) is linear: leave Latent empty", c.Latent)
		}
	default:
		return bad("unknown Kind %q (want one of %v)", c.Kind, Kinds())
	}
	switch c.Init {
	case "", InitHe, InitPyTorch:
	default:
		return bad("unknown Init %q (want one of %v)", c.Init, Inits())
	}
	if c.Beta != 0 && c.Kind != VAE {
		return bad("Beta = %v; it weighs a VAE's KL term: set Kind to %q or leave Beta 0", c.Beta, VAE)
	}
	if !finiteIn(c.Beta, 0, MaxBeta) {
		return bad("Beta = %v; it must be between 0 (meaning %d) and %d", c.Beta, DefaultBeta, MaxBeta)
	}
	if !finiteIn(c.Sparsity, 0, MaxSparsity) {
		return bad("Sparsity = %v; it must be between 0 (off) and %d", c.Sparsity, MaxSparsity)
	}
	if !finiteIn(c.WeightDecay, 0, MaxWeightDecay) {
		return bad("WeightDecay = %v; it must be between 0 (off) and %d", c.WeightDecay, MaxWeightDecay)
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
	if len(c.Conv) > 0 {
		geo, err := c.convShapes()
		if err != nil {
			return err
		}
		work += 2 * geo[len(geo)-1].smallSize()
	}
	if c.Workers < 0 {
		return bad("Workers = %d; use 0 for one per CPU, or a positive count", c.Workers)
	}
	if p := c.NumParams(); p > MaxParams {
		return bad("the network has %d parameters; the limit is %d", p, MaxParams)
	}
	if w := c.BatchSize*work + c.ConvBufferFloats(); w > MaxBatchWork {
		return bad("BatchSize × Σ Sizes + the convolutions' buffers = %d floats; the limit is %d", w, MaxBatchWork)
	}
	return nil
}

// finiteIn reports whether lo ≤ x ≤ hi (false for NaN).
func finiteIn(x, lo, hi float64) bool { return x >= lo && x <= hi }

// NumParams returns the number of trainable parameters (weights and biases)
// of the network described by c.Sizes: Σ (in + 1)·out over the layers, where
// a VAE's code layer has 2M outputs (μ and log σ²), plus those of the
// convolutions (Conv). It is meaningful for configs that Validate accepts.
func (c Config) NumParams() int {
	n, feat := 0, c.convFeatures()
	for l := 0; l+1 < len(c.Sizes); l++ {
		in, out := c.convWidths(l, c.Sizes[l], c.layerOut(l), feat)
		n += (in + 1) * out
	}
	return n + c.convNumParams()
}

// layerOut is the number of outputs of dense layer l: Sizes[l+1], doubled
// for a VAE's code layer (l = Bottleneck−1), which outputs μ and log σ².
func (c Config) layerOut(l int) int {
	if c.Kind == VAE && l == c.Bottleneck-1 {
		return 2 * c.Sizes[l+1]
	}
	return c.Sizes[l+1]
}

// codeActivation is the activation of the code layer: Linear for a VAE
// (μ and log σ²), else Latent, or Hidden when Latent is "".
func (c Config) codeActivation() Activation {
	switch {
	case c.Kind == VAE:
		return Linear
	case c.Latent != "":
		return c.Latent
	}
	return c.Hidden
}

// beta is the KL weight in use.
func (c Config) beta() float64 {
	if c.Beta == 0 {
		return DefaultBeta
	}
	return c.Beta
}
