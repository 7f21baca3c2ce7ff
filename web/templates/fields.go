package templates

// field is what the form shows for one input: its name (the POSTed form key), label, current value,
// input type, help and limit text, and the message from HomeView.Errors.
type field struct {
	Name, Label, Value        string
	Type, InputMode, Step     string
	Placeholder, Help, Limits string
	Error                     string
	Choices                   []Choice
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

// selectField is a field chosen from a list.
func selectField(v HomeView, name, label, value, help string, choices []Choice) field {
	f := newField(v, name, label, value, help)
	f.Type = "select"
	f.Choices = choices
	return f
}

// architectureFields are the form's model fields in display order.
func architectureFields(v HomeView) []field {
	enc := newField(v, "encoder", "Encoder layers", v.Form.Encoder,
		"Hidden widths from the input towards the code, separated by commas, e.g. 512, 128. Empty: no hidden layer.")
	enc.Placeholder = "e.g. 256 or 512, 128"
	dec := newField(v, "decoder", "Decoder layers", v.Form.Decoder,
		"Hidden widths from the code back to the output. Empty: the encoder mirrored.")
	dec.Placeholder = "mirror of encoder"
	return []field{
		enc,
		numberField(v, "bottleneck", "Bottleneck size (M)", v.Form.Bottleneck,
			"Units in the code layer: how many numbers each example is squeezed into.", "1"),
		dec,
		selectField(v, "activation", "Hidden activation", v.Form.Activation,
			"Applied after every hidden layer.", v.Activations),
		selectField(v, "bottleneck_activation", "Bottleneck activation", v.Form.BottleneckActivation,
			"Applied to the code. Linear keeps a 2-unit code from collapsing onto ReLU's zeros.", v.BottleneckActivations),
		selectField(v, "output_activation", "Output activation", v.Form.OutputActivation,
			"Applied to the reconstruction; pick one that matches the data's range.", v.OutputActivations),
	}
}

// trainingFields are the form's training fields in display order.
func trainingFields(v HomeView) []field {
	ts := numberField(v, "train_size", "Training examples", v.Form.TrainSize,
		"Empty: the whole training split.", "1")
	ts.Placeholder = "all"
	return []field{
		selectField(v, "loss", "Loss", v.Form.Loss, "What “a good reconstruction” means.", v.Losses),
		selectField(v, "optimizer", "Optimizer", v.Form.Optimizer, "How the weights are updated.", v.Optimizers),
		numberField(v, "learning_rate", "Learning rate", v.Form.LearningRate, "Step size, e.g. 0.001.", "any"),
		numberField(v, "batch_size", "Batch size", v.Form.BatchSize, "Examples per optimizer step.", "1"),
		numberField(v, "epochs", "Epochs", v.Form.Epochs, "Passes over the training examples.", "1"),
		ts,
		numberField(v, "seed", "Random seed", v.Form.Seed, "Same seed and settings: the same run.", "1"),
	}
}
