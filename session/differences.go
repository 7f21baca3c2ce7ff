package session

import (
	"slices"
	"strconv"
	"strings"
)

// Difference is one configuration field whose value is not the same in
// every member of a comparison.
type Difference struct {
	Field string `json:"field"` // as in the configuration JSON, e.g. "activation"
	// Values holds the field's value in each member, in member order, as
	// text (lists as "256, 64", sizes 0 as "all").
	Values []string `json:"values"`
	// Text says it in words: the distinct values in member order, e.g.
	// "activation: relu vs tanh".
	Text string `json:"text"`
}

// configField is one field of Config as text, with how a label names it.
type configField struct {
	name  string
	value func(Config) string
	label func(v string) string
}

// configFields lists the fields of Config in the order the form shows them.
var configFields = []configField{
	{"dataset", func(c Config) string { return c.Dataset }, func(v string) string { return v }},
	{"encoder", func(c Config) string { return widthsText(c.Encoder) }, func(v string) string { return "encoder " + v }},
	{"bottleneck", func(c Config) string { return itoa(c.Bottleneck) }, func(v string) string { return "M = " + v }},
	{"decoder", func(c Config) string { return widthsText(c.Decoder) }, func(v string) string { return "decoder " + v }},
	{"activation", func(c Config) string { return c.Activation }, func(v string) string { return v }},
	{"bottleneck_activation", func(c Config) string {
		if c.BottleneckActivation == "" {
			return "as hidden"
		}
		return c.BottleneckActivation
	}, func(v string) string { return v + " code" }},
	{"output_activation", func(c Config) string { return c.OutputActivation }, func(v string) string { return v + " output" }},
	{"loss", func(c Config) string { return c.Loss }, strings.ToUpper},
	{"optimizer", func(c Config) string { return c.Optimizer }, func(v string) string { return v }},
	{"learning_rate", func(c Config) string { return strconv.FormatFloat(c.LearningRate, 'g', -1, 64) }, func(v string) string { return "lr " + v }},
	{"batch_size", func(c Config) string { return itoa(c.BatchSize) }, func(v string) string { return "batch " + v }},
	{"epochs", func(c Config) string { return itoa(c.Epochs) }, func(v string) string { return v + " epochs" }},
	{"train_size", func(c Config) string { return sizeText(c.TrainSize) }, func(v string) string { return v + " train" }},
	{"test_size", func(c Config) string { return sizeText(c.TestSize) }, func(v string) string { return v + " test" }},
	{"seed", func(c Config) string { return strconv.FormatUint(c.Seed, 10) }, func(v string) string { return "seed " + v }},
	{"noise", noiseText, func(v string) string { return "noise " + v }},
	{"init", func(c Config) string {
		if c.Init == "" {
			return "default"
		}
		return c.Init
	}, func(v string) string { return v + " init" }},
	{"conv", func(c Config) string { return convText(c.Conv) }, func(v string) string {
		if v == "none" {
			return "dense"
		}
		return "conv " + v
	}},
	{"train_classes", func(c Config) string {
		if len(c.TrainClasses) == 0 {
			return "all"
		}
		return widthsText(c.TrainClasses)
	}, func(v string) string { return "classes " + v }},
}

func noiseText(c Config) string {
	if c.Noise == nil || c.Noise.Kind == "" || c.Noise.Kind == "none" {
		return "none"
	}
	return c.Noise.Kind + " " + strconv.FormatFloat(c.Noise.Level, 'g', -1, 64)
}

// differences returns the fields whose values are not all equal.
func differences(configs []Config) []Difference {
	var out []Difference
	for _, f := range configFields {
		values := make([]string, len(configs))
		for i, c := range configs {
			values[i] = f.value(c)
		}
		var uniq []string // distinct values, in order of first appearance
		for _, v := range values {
			if !slices.Contains(uniq, v) {
				uniq = append(uniq, v)
			}
		}
		if len(uniq) > 1 {
			out = append(out, Difference{Field: f.name, Values: values, Text: f.name + ": " + strings.Join(uniq, " vs ")})
		}
	}
	return out
}

// memberLabels names each member by its values of the differing fields,
// e.g. "M = 8 · tanh"; members alike in everything are told apart by their
// session ids.
func memberLabels(configs []Config, differs []Difference, sessions []*Session) []string {
	labels := make([]string, len(configs))
	for i := range configs {
		var parts []string
		for _, d := range differs {
			f := configFields[slices.IndexFunc(configFields, func(f configField) bool { return f.name == d.Field })]
			parts = append(parts, f.label(d.Values[i]))
		}
		labels[i] = strings.Join(parts, " · ")
		if labels[i] == "" {
			labels[i] = "run " + itoa(i+1)
		}
	}
	for i := range labels {
		dup := false
		for j := range labels {
			if i != j && labels[i] == labels[j] {
				dup = true
			}
		}
		if dup {
			labels[i] += " · " + sessions[i].id
		}
	}
	return labels
}

func widthsText(ws []int) string {
	if len(ws) == 0 {
		return "none"
	}
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = itoa(w)
	}
	return strings.Join(parts, ", ")
}

func sizeText(n int) string {
	if n == 0 {
		return "all"
	}
	return itoa(n)
}

func itoa(n int) string { return strconv.Itoa(n) }
