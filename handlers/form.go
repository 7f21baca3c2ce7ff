package handlers

import (
	"fmt"

	"github.com/aelab/aelab/ae"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web/templates"
)

// formValues reads the home page form as typed.
func formValues(f url.Values) templates.FormValues {
	g := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	return templates.FormValues{
		Dataset: g("dataset"), Encoder: g("encoder"), Bottleneck: g("bottleneck"), Decoder: g("decoder"),
		Activation: g("activation"), BottleneckActivation: g("bottleneck_activation"), OutputActivation: g("output_activation"), Loss: g("loss"),
		Optimizer: g("optimizer"), LearningRate: g("learning_rate"), BatchSize: g("batch_size"),
		Epochs: g("epochs"), TrainSize: g("train_size"), Seed: g("seed"),
		Kind: g("kind"), Beta: g("beta"), Sparsity: g("sparsity"), WeightDecay: g("weight_decay"), Conv: g("conv"),
		Noise: g("noise"), NoiseLevel: g("noise_level"),
		Init: g("init"), TestSize: g("test_size"), TrainClasses: g("train_classes"),
	}
}

// queryForm is the home form as an address sets it: the defaults, with each
// field that /?dataset=mnist&encoder=256&bottleneck=50&loss=bce&epochs=5
// names in its place (checked like any typed value), and the names it set.
func queryForm(q url.Values) (templates.FormValues, map[string]bool) {
	form, set := defaultForm().Map(), map[string]bool{}
	for _, name := range templates.FieldNames {
		if q.Has(name) {
			form[name] = strings.TrimSpace(q.Get(name))
			set[name] = true
		}
	}
	return formFromMap(form), set
}

// setFormField sets one field of f by its form name.
func setFormField(f *templates.FormValues, name, val string) {
	m := f.Map()
	m[name] = val
	*f = formFromMap(m)
}

// formFromMap is the inverse of FormValues.Map.
func formFromMap(m map[string]string) templates.FormValues {
	v := url.Values{}
	for k, s := range m {
		v.Set(k, s)
	}
	return formValues(v)
}

// configForm is a session's configuration as the home form shows it: the
// "Train again" link fills the form with it.
func configForm(c session.Config) templates.FormValues {
	widths := func(ws []int) string {
		s := make([]string, len(ws))
		for i, w := range ws {
			s[i] = strconv.Itoa(w)
		}
		return strings.Join(s, ", ")
	}
	f := templates.FormValues{Dataset: c.Dataset, Encoder: widths(c.Encoder), Bottleneck: strconv.Itoa(c.Bottleneck),
		Activation: c.Activation, BottleneckActivation: c.BottleneckActivation, OutputActivation: c.OutputActivation,
		Loss: c.Loss, Optimizer: c.Optimizer, LearningRate: strconv.FormatFloat(c.LearningRate, 'g', -1, 64),
		BatchSize: strconv.Itoa(c.BatchSize), Epochs: strconv.Itoa(c.Epochs), Seed: strconv.FormatUint(c.Seed, 10)}
	mirror := slices.Clone(c.Encoder)
	slices.Reverse(mirror)
	if !slices.Equal(mirror, c.Decoder) {
		f.Decoder = widths(c.Decoder)
	}
	if c.TrainSize > 0 {
		f.TrainSize = strconv.Itoa(c.TrainSize)
	}
	if c.TestSize > 0 {
		f.TestSize = strconv.Itoa(c.TestSize)
	}
	f.TrainClasses = widths(c.TrainClasses)
	f.Init = c.Init
	f.Kind = c.Kind
	if c.IsVAE() && c.Beta != nil {
		f.Beta = strconv.FormatFloat(*c.Beta, 'g', -1, 64)
	}
	if c.Sparsity > 0 {
		f.Sparsity = strconv.FormatFloat(c.Sparsity, 'g', -1, 64)
	}
	if c.WeightDecay > 0 {
		f.WeightDecay = strconv.FormatFloat(c.WeightDecay, 'g', -1, 64)
	}
	f.Conv = convForm(c.Conv)
	f.Noise = "none"
	if c.Noise != nil && c.Noise.Kind != "" {
		f.Noise, f.NoiseLevel = c.Noise.Kind, strconv.FormatFloat(c.Noise.Level, 'g', -1, 64)
	}
	return f
}

// formQuery is the address query of a form: every field that has a value,
// and every blank one whose default is not blank (an encoder of no hidden
// layers is "encoder=", which the default of 256 would otherwise fill).
func formQuery(f templates.FormValues) string {
	q := url.Values{}
	def := defaultForm().Map()
	for k, s := range f.Map() {
		if s != "" || def[k] != "" {
			q.Set(k, s)
		}
	}
	return q.Encode()
}

// smallK is the number of features under which a dataset counts as small
// (toy sets, most uploads): home.js uses the same rule (homeform.js).
const smallK = 100

// fitShape sets the encoder and bottleneck that fit a dataset of k features,
// in the fields the address did not set: for small data one hidden layer of
// about 4·k units (16 to 128, a power of two) and a 2-unit code, which the
// latent scatter shows as it is.
func fitShape(f *templates.FormValues, k int, set map[string]bool) {
	if k < 2 || k >= smallK {
		return
	}
	hidden := 16
	for hidden < 4*k && hidden < 128 {
		hidden *= 2
	}
	if !set["encoder"] {
		f.Encoder = strconv.Itoa(hidden)
	}
	if !set["bottleneck"] {
		f.Bottleneck = strconv.Itoa(min(2, k-1))
	}
}

// defaultForm is what the home page form shows first: the textbook
// 784 → 256 → 50 → 256 → 784 MNIST autoencoder.
func defaultForm() templates.FormValues {
	return templates.FormValues{Dataset: "mnist", Encoder: "256", Bottleneck: "50", Activation: "relu",
		BottleneckActivation: "linear", OutputActivation: "sigmoid", Loss: "mse", Optimizer: "adam", LearningRate: "0.001", BatchSize: "64",
		Epochs: "5", Seed: "1", Kind: "ae", Noise: "none"}
}

// parseForm turns form text into a configuration. Text that is not a number
// where one is needed gives a field error; range checks are left to
// session.Validate so that the API and the form say the same things.
func parseForm(v templates.FormValues) (session.Config, session.FieldErrors) {
	var fe session.FieldErrors
	add := func(field, msg string) { fe = append(fe, session.FieldError{Field: field, Message: msg}) }
	c := session.Config{Dataset: v.Dataset, Activation: v.Activation, BottleneckActivation: v.BottleneckActivation, OutputActivation: v.OutputActivation,
		Loss: v.Loss, Optimizer: v.Optimizer, Kind: v.Kind, Init: v.Init}
	var ok bool
	if c.Encoder, ok = parseWidths(v.Encoder); !ok {
		add("encoder", "write the encoder's hidden layer widths as whole numbers separated by commas, like 512, 128 (or leave it blank for none)")
	}
	if v.Decoder != "" {
		if c.Decoder, ok = parseWidths(v.Decoder); !ok {
			add("decoder", "write the decoder's hidden layer widths as whole numbers separated by commas, like 128, 512 (or leave it blank to mirror the encoder)")
		}
	}
	if c.Conv, ok = parseConv(v.Conv); !ok {
		add("conv", "write the filters of each convolutional layer separated by commas, like 16, 32 (3×3 kernels, stride 2), or filters/kernel/stride like 16/5/1 (or leave it blank for a dense model)")
	}
	intField := func(field, text string, dst *int, blankOK bool, what string) {
		if text == "" && blankOK {
			return
		}
		n, err := strconv.Atoi(text)
		if err != nil {
			add(field, what+" must be a whole number")
			return
		}
		*dst = n
	}
	intField("bottleneck", v.Bottleneck, &c.Bottleneck, true, "the bottleneck width") // blank: missing (Validate says so)
	intField("batch_size", v.BatchSize, &c.BatchSize, true, "the batch size")
	intField("epochs", v.Epochs, &c.Epochs, true, "the number of epochs")
	intField("train_size", v.TrainSize, &c.TrainSize, true, "the number of training examples")
	intField("test_size", v.TestSize, &c.TestSize, true, "the number of test examples")
	if classes, ok := parseWidths(v.TrainClasses); !ok {
		add("train_classes", "write the class numbers to train on as whole numbers separated by commas, like 0, 1 (or leave it blank for every class)")
	} else if len(classes) > 0 {
		c.TrainClasses = classes
	}
	if v.LearningRate != "" {
		lr, err := strconv.ParseFloat(v.LearningRate, 64)
		if err != nil {
			add("learning_rate", fmt.Sprintf("%s is not a number: write the learning rate as a number greater than 0, like 0.001", strconv.Quote(v.LearningRate)))
		} else {
			c.LearningRate = lr
		}
	}
	// A blank field is a missing one (it gets the default, or is refused as
	// missing if it has none); anything typed is judged as typed, 0 included.
	for field, text := range map[string]string{"dataset": v.Dataset, "kind": v.Kind, "bottleneck": v.Bottleneck, "activation": v.Activation,
		"bottleneck_activation": v.BottleneckActivation, "output_activation": v.OutputActivation, "loss": v.Loss, "optimizer": v.Optimizer, "learning_rate": v.LearningRate,
		"batch_size": v.BatchSize, "epochs": v.Epochs, "train_size": v.TrainSize, "test_size": v.TestSize, "init": v.Init} {
		if text != "" {
			c.MarkGiven(field)
		}
	}
	decimal := func(field, text, what string) (float64, bool) {
		if text == "" {
			return 0, false
		}
		x, err := strconv.ParseFloat(text, 64)
		if err != nil {
			add(field, what+" must be a number, like 0.01 (or leave it blank)")
			return 0, false
		}
		return x, true
	}
	if b, ok := decimal("beta", v.Beta, "β"); ok {
		c.Beta = &b
	}
	c.Sparsity, _ = decimal("sparsity", v.Sparsity, "the sparsity penalty")
	if v.Noise != "" && v.Noise != "none" && !slices.Contains(noiseKinds, v.Noise) {
		add("noise", "choose the training noise: none, gaussian, masking or salt_pepper")
	} else if v.Noise != "" && v.Noise != "none" {
		level, ok := decimal("noise_level", v.NoiseLevel, "the noise level")
		if v.NoiseLevel == "" {
			add("noise_level", "give the noise level, like 0.3 (or choose no training noise)")
		} else if ok {
			c.Noise = &session.NoiseConfig{Kind: v.Noise, Level: level}
		}
	}
	c.WeightDecay, _ = decimal("weight_decay", v.WeightDecay, "the weight decay")
	if v.Seed != "" {
		seed, err := strconv.ParseUint(v.Seed, 10, 64)
		if err != nil {
			add("seed", "the seed must be a whole number from 0 up")
		} else {
			c.Seed = seed
		}
	}
	return c, fe
}

// noiseKinds are the kinds of training noise the form offers besides none.
var noiseKinds = []string{"gaussian", "masking", "salt_pepper"}

// formErrors are the messages of fe keyed by the form's field names: the
// configuration's "noise" object is two fields on the form, and with the
// kind chosen from the form's list (parseForm checks it) what remains wrong
// is the level, so its message goes next to noise_level.
func formErrors(fe session.FieldErrors) map[string]string {
	m := fe.Map()
	if msg, ok := m["noise"]; ok {
		if _, taken := m["noise_level"]; !taken && !strings.HasPrefix(msg, "choose the training noise") {
			delete(m, "noise")
			m["noise_level"] = msg
		}
	}
	return m
}

// parseWidths reads "512, 128" (or "512 128"); blank means no layers.
func parseWidths(s string) ([]int, bool) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' })
	out := make([]int, 0, len(fields))
	for _, f := range fields {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

// parseConv reads convolutional layers as the form takes them: "16, 32"
// (filters, with 3×3 kernels and stride 2) or "16/5/1" (filters/kernel/
// stride); blank means none. The ranges are session.Validate's to check.
func parseConv(s string) ([]ae.ConvLayer, bool) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' })
	var out []ae.ConvLayer
	for _, f := range fields {
		parts := strings.Split(f, "/")
		if len(parts) != 1 && len(parts) != 3 {
			return nil, false
		}
		n := make([]int, len(parts))
		for i, p := range parts {
			v, err := strconv.Atoi(p)
			if err != nil {
				return nil, false
			}
			n[i] = v
		}
		l := ae.ConvLayer{Filters: n[0], Kernel: 3, Stride: 2}
		if len(n) == 3 {
			l.Kernel, l.Stride = n[1], n[2]
		}
		out = append(out, l)
	}
	return out, true
}

// convForm writes conv layers as the form shows them: "16, 32" when every
// layer has a 3×3 kernel and stride 2, else filters/kernel/stride each.
func convForm(layers []ae.ConvLayer) string {
	parts := make([]string, len(layers))
	for i, l := range layers {
		parts[i] = strconv.Itoa(l.Filters)
		if l.Kernel != 3 || l.Stride != 2 {
			parts[i] += "/" + strconv.Itoa(l.Kernel) + "/" + strconv.Itoa(l.Stride)
		}
	}
	return strings.Join(parts, ", ")
}
