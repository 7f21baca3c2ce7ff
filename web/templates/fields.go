package templates

import "strings"

// field is what the form shows for one input: its name (the POSTed form key), label, current value,
// input type, help and limit text, and the message from HomeView.Errors.
type field struct {
	Name, Label, Value        string
	Type, InputMode, Step     string
	Placeholder, Help, Limits string
	Error                     string
	Choices                   []Choice
	Locked, Hidden            bool // by a lesson preset
	// Idle is a field that does not apply to the other choices made (β when the kind is not
	// variational): shown hidden and disabled, so it is not sent; home.js shows it once it applies.
	Idle bool
}

// ID is the element id of the field's input.
func (f field) ID() string { return "f-" + f.Name }

// HelpID is the element id of the field's help line.
func (f field) HelpID() string { return "help-" + f.Name }

// ErrorID is the element id of the field's message slot.
func (f field) ErrorID() string { return "error-" + f.Name }

// ErrorTestID is the data-testid of the field's message slot, e.g. "error-bottleneck".
func (f field) ErrorTestID() string { return "error-" + f.Name }

// DescribedBy lists the ids that describe the input (help line and message slot).
func (f field) DescribedBy() string { return f.HelpID() + " " + f.ErrorID() }

// HasHelp reports whether the field has a help line.
func (f field) HasHelp() bool { return f.Help != "" || f.Limits != "" }

// newField fills a field's value, limits and message from the view.
func newField(v HomeView, name, label, value, help string) field {
	return field{
		Name:   name,
		Label:  label,
		Value:  value,
		Type:   "text",
		Help:   help,
		Limits: limitsFor(v.Limits, name),
		Error:  v.Errors[name],
		Locked: v.Lesson.IsLocked(name),
		Hidden: v.Lesson.IsHidden(name),
	}
}

// numberField is a field for a number; step "1" for whole numbers, "any" for decimals.
func numberField(v HomeView, name, label, value, help, step string) field {
	f := newField(v, name, label, value, help)
	f.Type = "number"
	f.Step = step
	f.InputMode = "numeric"
	if step != "1" {
		f.InputMode = "decimal"
	}
	return f
}

// decimalField is a text field for a decimal number such as 0.001 or 1e-3: typed as text (with the
// decimal keyboard on phones) so that "abc" reaches the checks as typed, instead of a number input
// that hands over "" and a message about a missing value.
func decimalField(v HomeView, name, label, value, help string) field {
	f := newField(v, name, label, value, help)
	f.InputMode = "decimal"
	return f
}

// selectField is a field chosen from a list.
func selectField(v HomeView, name, label, value, help string, choices []Choice) field {
	f := newField(v, name, label, value, help)
	f.Type = "select"
	f.Choices = choices
	return f
}

// essentialFields are the few fields shown beside the Train button: the shape of the network
// and how long it trains. The rest are folded under "More options".
func essentialFields(v HomeView) []field {
	enc := newField(v, "encoder", "Encoder layers", v.Form.Encoder,
		"Hidden widths towards the code, e.g. 512, 128. Empty: none.")
	enc.Placeholder = "e.g. 256 or 512, 128"
	return []field{
		enc,
		numberField(v, "bottleneck", "Bottleneck size (M)", v.Form.Bottleneck,
			"How many numbers each example is squeezed into.", "1"),
		numberField(v, "epochs", "Epochs", v.Form.Epochs, "Passes over the training examples.", "1"),
	}
}

// architectureFields are the folded model fields in display order.
func architectureFields(v HomeView) []field {
	dec := newField(v, "decoder", "Decoder layers", v.Form.Decoder,
		"Hidden widths from the code back to the output. Empty: the encoder mirrored.")
	dec.Placeholder = "mirror of encoder"
	beta := decimalField(v, "beta", "β (KL weight)", v.Form.Beta,
		"Weight of the KL term that pulls the codes towards a standard normal. Blank: 1. Lower: sharper pictures; higher: a smoother code space. From 0.0001 to 100.")
	beta.Placeholder = "1"
	beta.Idle = v.Form.Kind != "vae"
	conv := newField(v, "conv", "Convolutional layers", v.Form.Conv,
		"Images only. Filters per layer, e.g. 16, 32: 3×3 kernels, stride 2 (each halves the image), before the encoder layers; the decoder mirrors them. 16/5/1 is 16 filters, 5×5, stride 1. Empty: dense.")
	conv.Placeholder = "none (dense)"
	return []field{
		selectField(v, "kind", "Kind of autoencoder", v.Form.Kind,
			"Plain: the code is a point. Variational: the code is a Gaussian sample, so codes drawn at random decode to new examples.", v.Kinds),
		beta,
		dec,
		conv,
		selectField(v, "activation", "Hidden activation", v.Form.Activation,
			"Applied after every hidden layer.", v.Activations),
		selectField(v, "bottleneck_activation", "Bottleneck activation", v.Form.BottleneckActivation,
			"Applied to the code. Linear keeps a 2-unit code from collapsing onto ReLU's zeros.", v.BottleneckActivations),
		selectField(v, "output_activation", "Output activation", v.Form.OutputActivation,
			"Applied to the reconstruction; pick one that matches the data's range.", v.OutputActivations),
		selectField(v, "init", "Initial weights", v.Form.Init,
			"How the weights start. He: scaled to each layer's activation, zero biases. PyTorch: nn.Linear's default, U(±1/√fan-in) for weights and biases, to match a PyTorch run. Default: He for dense models, PyTorch for convolutional ones.", v.Inits),
	}
}

// trainingFields are the folded training fields in display order.
func trainingFields(v HomeView) []field {
	ts := numberField(v, "train_size", "Training examples", v.Form.TrainSize,
		"Empty: the whole training split.", "1")
	ts.Placeholder = "all"
	tst := numberField(v, "test_size", "Test examples", v.Form.TestSize,
		"Examples of the test split the test loss is measured on. Empty: the whole test split.", "1")
	tst.Placeholder = "all"
	tc := newField(v, "train_classes", "Train on classes", v.Form.TrainClasses,
		"Class numbers to train on, e.g. 0, 1 (the others are left out, as anomalies). Empty: every class.")
	tc.Placeholder = "all"
	sp := decimalField(v, "sparsity", "Sparsity penalty", v.Form.Sparsity,
		"L1 penalty on the code's activity: few code units active per example. Blank or 0: off; try 0.01.")
	sp.Placeholder = "0 (off)"
	wd := decimalField(v, "weight_decay", "Weight decay", v.Form.WeightDecay,
		"L2 penalty on the weights (AdamW-style with Adam): smaller weights. Blank or 0: off; try 0.0001.")
	wd.Placeholder = "0 (off)"
	nl := decimalField(v, "noise_level", "Noise level", v.Form.NoiseLevel,
		"Gaussian: σ; masking: the fraction of inputs set to 0; salt and pepper: the fraction flipped. Above 0, at most 1; try 0.3.")
	nl.Placeholder = "e.g. 0.3"
	noise := selectField(v, "noise", "Training noise (denoising)", v.Form.Noise,
		"Corrupt the inputs while the targets stay clean: a denoising autoencoder learns to remove the noise.",
		[]Choice{{Value: "none", Label: "None"}, {Value: "gaussian", Label: "Gaussian"}, {Value: "masking", Label: "Masking"}, {Value: "salt_pepper", Label: "Salt and pepper"}})
	return []field{
		selectField(v, "loss", "Loss", v.Form.Loss, "What “a good reconstruction” means.", v.Losses),
		selectField(v, "optimizer", "Optimizer", v.Form.Optimizer, "How the weights are updated.", v.Optimizers),
		decimalField(v, "learning_rate", "Learning rate", v.Form.LearningRate, "Step size, e.g. 0.001."),
		sp,
		wd,
		noise,
		nl,
		numberField(v, "batch_size", "Batch size", v.Form.BatchSize, "Examples per optimizer step.", "1"),
		ts,
		tst,
		tc,
		numberField(v, "seed", "Random seed", v.Form.Seed, "Same seed and settings: the same run.", "1"),
	}
}

// advancedOpen says whether "More options" starts unfolded: when one of its fields has a message.
func advancedOpen(v HomeView) bool {
	for _, f := range append(architectureFields(v), trainingFields(v)...) {
		if f.Error != "" {
			return true
		}
	}
	return false
}

// advancedNote sums up the folded settings in one line, e.g. "ReLU · linear code · sigmoid output ·
// MSE · Adam 0.001 · batch 64", so that nothing hidden is a surprise (home.js keeps it current).
func advancedNote(v HomeView) string {
	label := func(cs []Choice, val string) string {
		for _, c := range cs {
			if c.Value == val {
				return c.Label
			}
		}
		return val
	}
	f := v.Form
	parts := []string{}
	add := func(s string) {
		if s != "" {
			parts = append(parts, s)
		}
	}
	add(shortLabel(label(v.Activations, f.Activation)))
	if f.BottleneckActivation != "" {
		add(shortLabel(label(v.BottleneckActivations, f.BottleneckActivation)) + " code")
	}
	if f.OutputActivation != "" {
		add(shortLabel(label(v.OutputActivations, f.OutputActivation)) + " output")
	}
	add(strings.ToUpper(f.Loss))
	opt := shortLabel(label(v.Optimizers, f.Optimizer))
	if f.LearningRate != "" {
		opt += " " + f.LearningRate
	}
	add(strings.TrimSpace(opt))
	if f.BatchSize != "" {
		add("batch " + f.BatchSize)
	}
	return strings.Join(parts, " · ")
}

// shortLabel drops a choice label's parenthesis: "linear (none)" → "linear".
func shortLabel(s string) string {
	if i := strings.Index(s, " ("); i > 0 {
		return s[:i]
	}
	return s
}
