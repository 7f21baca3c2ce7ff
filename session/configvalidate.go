// Validating a training's configuration: every field against its range,
// the dataset and the limits, and finally against the engine itself.

package session

import (
	"math"
	"slices"
	"strings"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/datasets"
)

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
	switch {
	case c.Bottleneck == 0 && !c.given["bottleneck"]:
		fe.add("bottleneck", "%q is missing: give the width of the code, 1 to %d (smaller than the %d input features)", "bottleneck", k-1, k)
	case c.Bottleneck < 1 || c.Bottleneck >= k:
		fe.add("bottleneck", "bottleneck width must be between 1 and %d: it must be smaller than the %d input features, or the network could learn the identity", k-1, k)
	case c.Bottleneck > lim.MaxWidth:
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
	// The built-in sets only: uploads belong to their uploaders, and an
	// unknown name must not list everyone's (ListFor("") leaves them out).
	var names []string
	for _, in := range reg.ListFor("") {
		names = append(names, in.Name)
	}
	return strings.Join(names, ", ") + ", or the name of a dataset uploaded here"
}
