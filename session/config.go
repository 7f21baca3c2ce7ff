package session

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/datasets"
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
// values sent, zeros included. Names that are not fields are ignored.
func (c *Config) MarkGiven(fields ...string) {
	for _, f := range fields {
		if !slices.Contains(defaultedFields, f) {
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

// Validate fills in defaults and checks c against the dataset it names and
// the limits. It returns the completed config, or one message per field at
// fault, each saying what to change.
func Validate(c Config, reg *datasets.Registry, lim Limits) (Config, FieldErrors) {
	c = c.Defaults()
	var fe FieldErrors
	info, err := reg.Info(c.Dataset)
	if err != nil {
		fe.add("dataset", "unknown dataset %q: choose one of %s", c.Dataset, datasetNames(reg))
		return c, fe
	}
	if !info.Available {
		fe.add("dataset", "%s", info.Reason)
		return c, fe
	}
	k := info.Features
	checkLayers(&fe, "encoder", c.Encoder, lim)
	if c.Bottleneck < 1 || c.Bottleneck >= k {
		fe.add("bottleneck", "bottleneck width must be between 1 and %d: it must be smaller than the %d input features, or the network could learn the identity", k-1, k)
	} else if c.Bottleneck > lim.MaxWidth {
		fe.add("bottleneck", "bottleneck width must be at most %d", lim.MaxWidth)
	}
	checkLayers(&fe, "decoder", c.Decoder, lim)
	checkChoice(&fe, "activation", c.Activation, Choices.Activation)
	if c.BottleneckActivation != "" || c.given["bottleneck_activation"] {
		c.BottleneckActivation = strings.ToLower(strings.TrimSpace(c.BottleneckActivation))
		checkChoice(&fe, "bottleneck_activation", c.BottleneckActivation, Choices.Activation)
	}
	checkChoice(&fe, "output_activation", c.OutputActivation, Choices.OutputActivation)
	checkChoice(&fe, "loss", c.Loss, Choices.Loss)
	checkChoice(&fe, "optimizer", c.Optimizer, Choices.Optimizer)
	if c.Loss == "bce" && c.OutputActivation != "sigmoid" && slices.Contains(Choices.OutputActivation, c.OutputActivation) {
		fe.add("output_activation", "binary cross-entropy needs outputs in (0, 1): choose the sigmoid output activation, or the MSE loss")
	}
	if c.Loss == "bce" && (info.ValueRange[0] < 0 || info.ValueRange[1] > 1) {
		fe.add("loss", "binary cross-entropy needs data in [0, 1], but %s ranges over [%g, %g]: choose MSE or L1", info.Title, info.ValueRange[0], info.ValueRange[1])
	}
	if c.OutputActivation == "sigmoid" && (info.ValueRange[0] < 0 || info.ValueRange[1] > 1) {
		fe.add("output_activation", "a sigmoid output lies in (0, 1), but %s ranges over [%g, %g]: choose the linear output", info.Title, info.ValueRange[0], info.ValueRange[1])
	}
	// The engine computes in float32: a rate that rounds to 0 (1e-320) or
	// beyond float32's range would not train.
	if lr := c.LearningRate; math.IsNaN(lr) || lr <= 0 || float32(lr) <= 0 || lr > lim.MaxLearnRate {
		fe.add("learning_rate", "learning rate must be greater than 0 and at most %g (typical: 0.001 for Adam, 0.01–0.1 for SGD), got %g", lim.MaxLearnRate, lr)
	}
	n := c.TrainSize // the training examples used
	if c.TrainSize < 0 || c.TrainSize > info.TrainSize || (c.TrainSize == 0 && c.given["train_size"]) {
		fe.add("train_size", "training examples must be between 1 and %d (leave it out for all), got %d", info.TrainSize, c.TrainSize)
		n = info.TrainSize
	}
	if n == 0 {
		n = info.TrainSize
	}
	if c.TestSize < 0 || c.TestSize > info.TestSize || (c.TestSize == 0 && c.given["test_size"]) {
		fe.add("test_size", "test examples must be between 1 and %d (leave it out for all), got %d", info.TestSize, c.TestSize)
	}
	if c.BatchSize < 1 || c.BatchSize > min(lim.MaxBatch, n) {
		fe.add("batch_size", "batch size must be between 1 and %d (the number of training examples, at most %d), got %d", min(lim.MaxBatch, n), lim.MaxBatch, c.BatchSize)
	}
	if c.Epochs < 1 || c.Epochs > lim.MaxEpochs {
		fe.add("epochs", "epochs must be between 1 and %d, got %d", lim.MaxEpochs, c.Epochs)
	} else if c.Epochs*n > lim.MaxWork {
		fe.add("epochs", "%d epochs × %d examples is more than this server allows (%d example passes): use fewer epochs or fewer training examples", c.Epochs, n, lim.MaxWork)
	}
	if c.Noise != nil {
		if n := c.Noise; n.Kind != "" && n.Kind != "none" && n.Level == 0 {
			// Level 0 corrupts nothing: a denoising run without noise.
			fe.add("noise", "noise level must be greater than 0 for %s noise (or leave noise out to train without it), got %g", n.Kind, n.Level)
		} else if err := n.noise(info.ValueRange).Validate(); err != nil {
			fe.add("noise", "%v", err)
		}
	}
	if len(c.TrainClasses) > 0 {
		if len(info.ClassNames) == 0 {
			fe.add("train_classes", "%s has no classes to choose from: leave train_classes empty", info.Title)
		}
		seen := map[int]bool{}
		for _, k := range c.TrainClasses {
			if k < 0 || k >= len(info.ClassNames) || seen[k] {
				fe.add("train_classes", "train_classes must list distinct class numbers from 0 to %d, got %d", len(info.ClassNames)-1, k)
				break
			}
			seen[k] = true
		}
		if len(seen) == len(info.ClassNames) && len(seen) > 0 {
			fe.add("train_classes", "train_classes lists every class, so no class is left to be an anomaly: leave one or more out (or leave the list empty)")
		}
	}
	checkChoice(&fe, "kind", c.Kind, Choices.Kind)
	if c.Init != "" || c.given["init"] {
		checkChoice(&fe, "init", c.Init, Choices.Init)
	}
	if c.Beta != nil {
		switch b := *c.Beta; {
		case c.Kind != "vae":
			fe.add("beta", "beta weighs the KL term of a variational autoencoder: set kind to \"vae\", or leave beta out")
		case !BetaInRange(b):
			fe.add("beta", "%s", betaRange(b))
		}
	}
	if c.IsVAE() && c.BottleneckActivation != "" && c.BottleneckActivation != "linear" {
		fe.add("bottleneck_activation", "a variational autoencoder's code is a Gaussian sample (its mean and variance come from a linear layer): leave bottleneck_activation out")
	}
	if math.IsNaN(c.Sparsity) || c.Sparsity < 0 || c.Sparsity > MaxSparsity {
		fe.add("sparsity", "sparsity must be between 0 (off) and %d (typical: 0.001–0.1)", MaxSparsity)
	}
	if math.IsNaN(c.WeightDecay) || c.WeightDecay < 0 || c.WeightDecay > MaxWeightDecay {
		fe.add("weight_decay", "weight decay must be between 0 (off) and %d (typical: 0.0001–0.01)", MaxWeightDecay)
	}
	if c.Seed > 1<<53 {
		fe.add("seed", "seed must be between 0 and 2^53")
	}
	if len(c.Conv) > 0 {
		c.image = checkConv(&fe, c, info)
	}
	if len(fe) == 0 {
		if p := c.ParamCount(k); p > lim.MaxParams {
			fe.add("encoder", "this network has %s parameters, more than the %s this server allows: use narrower or fewer layers", groupDigits(p), groupDigits(lim.MaxParams))
		}
	}
	if len(fe) == 0 {
		engineCheck(&fe, c, k)
	}
	return c, fe
}

// engineCheck asks the engine itself whether it would build and train c, so
// that nothing accepted here fails later in ae.New; the engine's caps are
// reported on the field that can lift them.
func engineCheck(fe *FieldErrors, c Config, k int) {
	ac := aeConfig(c, k)
	err := ac.Validate()
	if err == nil {
		return
	}
	work := 0
	for _, s := range ac.Sizes {
		work += s
	}
	switch {
	case c.BatchSize*work > ae.MaxBatchWork:
		fe.add("batch_size", "batch size %d × %s units in all layers = %s, more than the %s the engine's training buffers allow: use a batch of at most %d, or narrower layers",
			c.BatchSize, groupDigits(work), groupDigits(c.BatchSize*work), groupDigits(ae.MaxBatchWork), max(1, ae.MaxBatchWork/work))
	case ac.NumParams() > ae.MaxParams:
		fe.add("encoder", "this network has %s parameters, more than the engine's %s: use narrower or fewer layers", groupDigits(ac.NumParams()), groupDigits(ae.MaxParams))
	case len(c.Conv) > 0:
		fe.add("conv", "the engine cannot build this network: %s", strings.TrimPrefix(err.Error(), ae.ErrInvalidConfig.Error()+": "))
	default:
		fe.add("encoder", "the engine cannot build this network: %s", strings.TrimPrefix(err.Error(), ae.ErrInvalidConfig.Error()+": "))
	}
}

func checkLayers(fe *FieldErrors, field string, widths []int, lim Limits) {
	if len(widths) > lim.MaxLayers {
		fe.add(field, "at most %d hidden layers are allowed, got %d", lim.MaxLayers, len(widths))
		return
	}
	for _, w := range widths {
		if w < 1 || w > lim.MaxWidth {
			fe.add(field, "every layer width must be between 1 and %d, got %d", lim.MaxWidth, w)
			return
		}
	}
}

func checkChoice(fe *FieldErrors, field, v string, allowed []string) {
	if !slices.Contains(allowed, v) {
		fe.add(field, "%q is not a choice: use one of %s", v, strings.Join(allowed, ", "))
	}
}

func datasetNames(reg *datasets.Registry) string {
	var names []string
	for _, in := range reg.List() {
		names = append(names, in.Name)
	}
	return strings.Join(names, ", ")
}

// ParamCount is the number of weights and biases of the model c describes
// for k input features, its convolutions included (a VAE's code layer
// outputs a mean and a variance per unit, so it has twice the outputs).
func (c Config) ParamCount(k int) int { return aeConfig(c, k).NumParams() }

// ParamCount is the number of weights and biases of a dense network with
// the given layer widths.
func ParamCount(sizes []int) int {
	p := 0
	for i := 0; i+1 < len(sizes); i++ {
		p += (sizes[i] + 1) * sizes[i+1]
	}
	return p
}

// Summary describes a validated configuration for display.
type Summary struct {
	Sizes      []int   `json:"sizes"`
	Features   int     `json:"features"`
	Bottleneck int     `json:"bottleneck"`
	Ratio      float64 `json:"ratio"` // K/M
	Params     int     `json:"params"`
	// Conv lists the convolutional layers before the dense ones (none for
	// a dense autoencoder).
	Conv []ae.ConvLayer `json:"conv,omitempty"`
}

// Summarize describes c for a dataset of k features.
func Summarize(c Config, k int) Summary {
	s := Summary{Sizes: c.Sizes(k), Features: k, Bottleneck: c.Bottleneck, Params: c.ParamCount(k), Conv: c.Conv}
	if c.Bottleneck > 0 {
		s.Ratio = float64(k) / float64(c.Bottleneck)
	}
	return s
}

// Arrow renders layer widths as "784 → 256 → 50 → 256 → 784".
func Arrow(sizes []int) string {
	parts := make([]string, len(sizes))
	for i, s := range sizes {
		parts[i] = strconv.Itoa(s)
	}
	return strings.Join(parts, " → ")
}

func groupDigits(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
