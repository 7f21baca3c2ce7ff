package session

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aelab/aelab/ae"
)

// Config is what a user chooses for one training: the JSON body of
// POST /api/sessions and the fields of the home page form. A missing
// optional field gets its default (see Defaults); a field that a request
// gave (see MarkGiven) is checked as given, so an explicit 0 is refused
// where the range starts above 0. Configurations built in code, which mark
// nothing, use zero values for "the default".
type Config struct {
	Dataset    string `json:"dataset"`
	Encoder    []int  `json:"encoder"`    // hidden layer widths from input to bottleneck; nil → [256], [] → none
	Bottleneck int    `json:"bottleneck"` // M, the width of the latent code
	Decoder    []int  `json:"decoder"`    // hidden widths from bottleneck to output; nil → mirror of Encoder
	Activation string `json:"activation"` // hidden layers, bottleneck included unless BottleneckActivation says otherwise
	// BottleneckActivation is the activation of the code layer alone;
	// missing means "linear", which keeps a 2-unit code from collapsing onto
	// ReLU's zeros (dead code units).
	BottleneckActivation string  `json:"bottleneck_activation,omitempty"`
	OutputActivation     string  `json:"output_activation"`
	Loss                 string  `json:"loss"`
	Optimizer            string  `json:"optimizer"`
	LearningRate         float64 `json:"learning_rate"`
	BatchSize            int     `json:"batch_size"`
	Epochs               int     `json:"epochs"`
	TrainSize            int     `json:"train_size"` // examples of the training split to use; 0 → all
	TestSize             int     `json:"test_size"`  // examples of the test split to evaluate on; 0 → all
	Seed                 uint64  `json:"seed"`
	// Noise corrupts the training inputs while the targets stay clean: a
	// denoising autoencoder. nil (or kind "none") trains a plain one.
	Noise *NoiseConfig `json:"noise,omitempty"`
	// TrainClasses restricts training to examples of these classes (indices
	// into the dataset's class names); the others are the anomalies an
	// anomaly-detection run should flag. Empty means every class.
	TrainClasses []int `json:"train_classes,omitempty"`
	// Conv, for image datasets, puts convolutional layers before the dense
	// encoder layers, in order: each has its filters (output channels), an
	// odd kernel size (same padding) and a stride, and the hidden
	// activation. The decoder mirrors them with transposed convolutions back
	// to the image. Empty or missing: a dense autoencoder.
	Conv []ae.ConvLayer `json:"conv,omitempty"`
	// Kind is "ae" (the default: a plain autoencoder) or "vae" (a
	// variational one: the encoder outputs a mean and a variance per code
	// unit, the decoder reads a sample, and the loss adds Beta × KL).
	Kind string `json:"kind,omitempty"`
	// Beta weighs a VAE's KL term (default 1); only for kind "vae".
	Beta *float64 `json:"beta,omitempty"`
	// Sparsity is the weight of an L1 penalty on the code's activity
	// (0 or absent: off).
	Sparsity float64 `json:"sparsity,omitempty"`
	// WeightDecay is the weight of an L2 penalty on the weights, decoupled
	// (AdamW) with Adam (0 or absent: off).
	WeightDecay float64 `json:"weight_decay,omitempty"`
	// Init is the scheme of the initial weights: "he" (He normal before
	// ReLU-like layers, Glorot uniform before the others, zero biases) or
	// "pytorch" (PyTorch's nn.Linear default, weights and biases from
	// U(±1/√fan_in)); missing: "he" for a dense model, "pytorch" for a
	// convolutional one.
	Init string `json:"init,omitempty"`

	// image is the dataset's image shape, set by Validate for a Conv config.
	image ae.ImageShape
	// given names the fields a request set explicitly (nil: none marked).
	given map[string]bool
}

// Bounds of the regularisation fields. They are generous: values near them
// already drown the reconstruction (MaxBeta) or leave it alone (MinBeta: a
// VAE's KL term weighed less than 1e-4 is far below the reconstruction
// loss summed over the features, a plain autoencoder in all but name; a
// denormal such as 5e-324 is no weight at all).
const (
	MinBeta        = 1e-4
	MaxBeta        = 100
	MaxSparsity    = 10
	MaxWeightDecay = 1
)

// BetaInRange reports whether b is a VAE's KL weight the server trains
// with: from MinBeta to MaxBeta.
func BetaInRange(b float64) bool { return b >= MinBeta && b <= MaxBeta }

// betaRange is the message for a β out of range.
func betaRange(b float64) string {
	return fmt.Sprintf("beta must be from %g to %d, not %g (1 is the standard VAE; 0.1 sharper pictures, 4 a smoother code space)",
		MinBeta, MaxBeta, b)
}

// IsVAE reports whether c describes a variational autoencoder.
func (c Config) IsVAE() bool { return c.Kind == "vae" }

// IsDenoising reports whether c trains on corrupted inputs (a denoising
// autoencoder): only such a run's noise can change while it trains.
func (c Config) IsDenoising() bool { return c.Noise.active() }

// BetaValue is the KL weight a VAE trains with (1 unless Beta says otherwise).
func (c Config) BetaValue() float64 {
	if c.Beta == nil {
		return 1
	}
	return *c.Beta
}

// MarkGiven records that a request set these fields (JSON keys or form
// field names), so that Defaults leaves them alone and Validate checks the
// values sent, zeros included, and tells a required field sent as 0 from
// a missing one. Names that are not such fields are ignored.
func (c *Config) MarkGiven(fields ...string) {
	for _, f := range fields {
		if !slices.Contains(defaultedFields, f) && !slices.Contains(requiredFields, f) {
			continue
		}
		if c.given == nil {
			c.given = make(map[string]bool, len(fields))
		}
		c.given[f] = true
	}
}

// Given reports whether field was marked as set by the request.
func (c Config) Given(field string) bool { return c.given[field] }

// defaultedFields are the fields whose zero value means "the default" when
// they are missing.
var defaultedFields = []string{"dataset", "kind", "init", "encoder", "decoder", "activation", "bottleneck_activation", "output_activation", "loss",
	"optimizer", "learning_rate", "batch_size", "epochs", "train_size", "test_size"}

// requiredFields are the fields with no default: missing, they are refused
// as missing; given (0 included), they are judged as given. A configuration
// built in code marks nothing, so its zero there counts as missing.
var requiredFields = []string{"bottleneck"}

// NoiseConfig says how a denoising autoencoder's inputs are corrupted.
type NoiseConfig struct {
	Kind  string  `json:"kind"`  // "gaussian" (σ = level), "masking" (fraction set to 0), "salt_pepper" (fraction set to 0 or 1), "none"
	Level float64 `json:"level"` // σ or fraction
}

// Limits bounds what one session may ask for. The zero value is not useful;
// start from DefaultLimits.
type Limits struct {
	MaxLayers    int     `json:"max_layers"` // hidden layers per side (encoder, decoder)
	MaxWidth     int     `json:"max_width"`  // units in one layer
	MaxParams    int     `json:"max_params"` // weights and biases of the whole model
	MaxBatch     int     `json:"max_batch"`
	MaxEpochs    int     `json:"max_epochs"`
	MaxWork      int     `json:"max_work"` // epochs × training examples
	MaxLearnRate float64 `json:"max_learning_rate"`
}

// DefaultLimits are sane bounds for a small shared server.
func DefaultLimits() Limits {
	return Limits{MaxLayers: 6, MaxWidth: 4096, MaxParams: 5_000_000, MaxBatch: 4096,
		MaxEpochs: 200, MaxWork: 6_000_000, MaxLearnRate: 10}
}

// Choices lists the accepted values of the enumerated fields, in the order a
// form shows them; the first is the default.
var Choices = struct {
	Kind, Activation, OutputActivation, Loss, Optimizer, Init []string
}{
	Kind:             []string{"ae", "vae"},
	Init:             []string{"he", "pytorch"},
	Activation:       []string{"relu", "leaky_relu", "elu", "tanh", "sigmoid", "linear"},
	OutputActivation: []string{"sigmoid", "linear"},
	Loss:             []string{"mse", "bce", "l1"},
	Optimizer:        []string{"adam", "momentum", "sgd"},
}

// Defaults returns c with every missing optional field filled in. A field
// marked as given keeps its value, zero or not, for Validate to judge.
func (c Config) Defaults() Config {
	unset := func(field string) bool { return !c.given[field] }
	if c.Dataset == "" && unset("dataset") {
		c.Dataset = "mnist"
	}
	if c.Encoder == nil {
		c.Encoder = []int{256}
	}
	if c.Decoder == nil {
		c.Decoder = make([]int, len(c.Encoder))
		for i, w := range c.Encoder {
			c.Decoder[len(c.Encoder)-1-i] = w
		}
	}
	c.Kind = c.orDefault("kind", c.Kind, Choices.Kind[0])
	c.Init = c.orDefault("init", c.Init, "") // missing: the engine's default for the model
	if c.Kind == "vae" && c.Beta == nil {
		one := 1.0
		c.Beta = &one
	}
	c.Activation = c.orDefault("activation", c.Activation, Choices.Activation[0])
	c.BottleneckActivation = c.orDefault("bottleneck_activation", c.BottleneckActivation, "linear")
	c.OutputActivation = c.orDefault("output_activation", c.OutputActivation, Choices.OutputActivation[0])
	c.Loss = c.orDefault("loss", c.Loss, Choices.Loss[0])
	c.Optimizer = c.orDefault("optimizer", c.Optimizer, Choices.Optimizer[0])
	if c.LearningRate == 0 && unset("learning_rate") {
		c.LearningRate = 0.001
		if c.Optimizer != "adam" {
			c.LearningRate = 0.05
		}
	}
	if c.BatchSize == 0 && unset("batch_size") {
		c.BatchSize = 64
	}
	if c.Epochs == 0 && unset("epochs") {
		c.Epochs = 5
	}
	return c
}

// orDefault normalises the choice s of field, or returns def when the field
// is missing; an empty value that was given stays empty (and is refused).
func (c Config) orDefault(field, s, def string) string {
	if s == "" && !c.given[field] {
		return def
	}
	return strings.ToLower(strings.TrimSpace(s))
}

// Sizes returns every layer width from input to output: K, encoder…, M,
// decoder…, K.
func (c Config) Sizes(k int) []int {
	s := append([]int{k}, c.Encoder...)
	s = append(s, c.Bottleneck)
	s = append(s, c.Decoder...)
	return append(s, k)
}
