package session

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/internal/safetensors"
)

// Model files: a session's weights in the safetensors format, named as
// PyTorch names the parameters of nn.Linear layers (docs/export.md):
// encoder.{i}.weight [out, in] and encoder.{i}.bias [out] for the i-th
// linear layer from the input (the code layer is the last encoder layer),
// then decoder.{i}.weight and decoder.{i}.bias counting again from 0 at
// the first layer after the code. A VAE's code layer is two heads, mu and
// logvar; a convolutional model adds encoder_conv.{i} (nn.Conv2d) and
// decoder_conv.{i} (nn.ConvTranspose2d) (modellayout.go). The metadata
// holds the session's configuration as JSON under "config", and the
// activation after each linear layer under "activations".

// Metadata keys of a model file.
const (
	ModelMetaConfig      = "config"
	ModelMetaActivations = "activations"
	ModelMetaStep        = "step"
	ModelMetaFormat      = "format"
	// ModelMetaImage is the input's image shape [C, H, W] as JSON, for
	// convolutional models.
	ModelMetaImage = "image"
)

// activations returns the activation after each dense layer of c.
func activations(c Config, layers int) []string {
	enc := len(c.Encoder) + 1
	out := make([]string, layers)
	for l := range out {
		switch {
		case l == layers-1 && len(c.Conv) == 0:
			out[l] = c.OutputActivation
		case l == enc-1 && c.IsVAE():
			out[l] = "linear"
		case l == enc-1 && c.BottleneckActivation != "":
			out[l] = c.BottleneckActivation
		default:
			out[l] = c.Activation
		}
	}
	return out
}

// WriteModel writes the weights of snap, a snapshot of a model with
// configuration c, as a safetensors model file.
func WriteModel(w io.Writer, c Config, snap *ae.Snapshot) error {
	ac := snap.Config()
	params := snap.Params()
	var ts []safetensors.Tensor
	for _, pt := range modelPlan(ac) {
		d := make([]float32, pt.size())
		for j := range d {
			d[j] = params[pt.at(j)]
		}
		ts = append(ts, safetensors.Tensor{Name: pt.name, Shape: pt.shape, Data: d})
	}
	cfg, err := configMeta(c)
	if err != nil {
		return err
	}
	acts, _ := json.Marshal(activations(c, len(ac.LayerShapes())))
	meta := map[string]string{ModelMetaConfig: string(cfg), ModelMetaActivations: string(acts),
		ModelMetaStep: strconv.Itoa(snap.Steps()), ModelMetaFormat: "pt"}
	if len(ac.Conv) > 0 {
		im, _ := json.Marshal([]int{ac.Image.Channels, ac.Image.Height, ac.Image.Width})
		meta[ModelMetaImage] = string(im)
	}
	return safetensors.Write(w, ts, meta)
}

// configMeta is c as the "config" of a model file: the body
// POST /api/sessions takes, so a training and test size of 0 (all
// examples) is left out rather than written as 0, which that body refuses.
func configMeta(c Config) ([]byte, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for _, k := range []string{"train_size", "test_size"} {
		if string(m[k]) == "0" {
			delete(m, k)
		}
	}
	return json.Marshal(m)
}

// ModelFile is a decoded model file: a validated configuration and the
// weights in the engine's layout.
type ModelFile struct {
	Config Config
	Params []float32
	Step   int
}

// ReadModel decodes a model file written by WriteModel or by PyTorch with
// the same names and metadata, and checks it against the datasets and
// limits of m. Every problem is an EInvalid error on the field "file" that
// says what is wrong.
func (m *Manager) ReadModel(data []byte) (*ModelFile, error) {
	bad := func(format string, args ...any) error {
		return &Error{Code: EInvalid, Field: "file", Message: fmt.Sprintf(format, args...)}
	}
	f, err := safetensors.Read(data)
	if err != nil {
		return nil, bad("%v", err)
	}
	raw, ok := f.Metadata[ModelMetaConfig]
	if !ok {
		return nil, bad(`the file's __metadata__ has no "config": save the session configuration as JSON under that key (see docs/export.md)`)
	}
	c, err := DecodeConfigJSON([]byte(raw))
	if err != nil {
		return nil, bad("the configuration in the file's metadata is not valid: %v", err)
	}
	if _, ours := f.Metadata[ModelMetaActivations]; ours {
		// aelab wrote "train_size": 0 and "test_size": 0 for "all" before
		// configMeta left them out: a file it wrote then still imports.
		for _, k := range []string{"train_size", "test_size"} {
			delete(c.given, k)
		}
	}
	first, ok := f.Get("encoder.0.weight")
	if !ok {
		first, ok = f.Get("mu.weight") // a VAE with no hidden encoder layer
	}
	if !ok || len(first.Shape) != 2 {
		return nil, bad(`the file has no tensor "encoder.0.weight" of shape [out, in]: name the layers as nn.Linear layers in ModuleLists "encoder" and "decoder" (see docs/export.md)`)
	}
	c, fe := Validate(c, m.reg, m.lim)
	if len(fe) > 0 {
		return nil, bad("the configuration in the file is refused: %s: %s", fe[0].Field, fe[0].Message)
	}
	info, _ := m.reg.Info(c.Dataset)
	k := info.Features
	ac := aeConfig(c, k)
	if in := ac.LayerShapes()[0].In; first.Shape[1] != in {
		return nil, bad("%s reads %d features but the configuration's first linear layer reads %d (dataset %q has %d features): import it with the dataset and convolutions it was trained with",
			first.Name, first.Shape[1], in, c.Dataset, k)
	}
	if v, ok := f.Metadata[ModelMetaImage]; ok && len(ac.Conv) > 0 {
		img := []int{ac.Image.Channels, ac.Image.Height, ac.Image.Width}
		var got []int
		if json.Unmarshal([]byte(v), &got) != nil || !slices.Equal(got, img) {
			return nil, bad("the metadata %q is %q, but the convolutions read the %s images of dataset %q: give %s as [C, H, W], or leave it out",
				ModelMetaImage, truncate(v, 40), safetensors.ShapeString(img), c.Dataset, safetensors.ShapeString(img))
		}
	}
	// The activations the file names must be the configuration's: a model
	// trained with tanh whose config says relu would import as relu, and
	// every view of it would be wrong without a word.
	if v, ok := f.Metadata[ModelMetaActivations]; ok {
		wantActs := activations(c, len(ac.LayerShapes()))
		var got []string
		if json.Unmarshal([]byte(v), &got) != nil || !slices.Equal(got, wantActs) {
			return nil, bad("the metadata %q is %q, but the configuration's activations after each linear layer are %q: make the configuration's activation, bottleneck_activation and output_activation those the model was trained with, or leave %q out",
				ModelMetaActivations, truncate(v, 120), wantActs, ModelMetaActivations)
		}
	}
	plan := modelPlan(ac)
	want := map[string]bool{}
	params := make([]float32, ac.NumParams())
	for _, pt := range plan {
		t, ok := f.Get(pt.name)
		if !ok {
			return nil, bad("the file lacks the tensor %s: the configuration %s needs %s of shape %s (see docs/export.md)",
				pt.name, describeArch(c, k), pt.name, safetensors.ShapeString(pt.shape))
		}
		if !slices.Equal(t.Shape, pt.shape) {
			return nil, bad("%s has shape %s; the configuration %s needs %s", pt.name,
				safetensors.ShapeString(t.Shape), describeArch(c, k), safetensors.ShapeString(pt.shape))
		}
		want[pt.name] = true
		for j, v := range t.Data {
			params[pt.at(j)] = v
		}
	}
	for _, t := range f.Tensors {
		if !want[t.Name] {
			return nil, bad("unexpected tensor %q: the configuration %s has only %s", t.Name, describeArch(c, k), planNames(plan))
		}
	}
	for i, v := range params {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, bad("the weights hold a non-finite value (%v at position %d): the model diverged before it was saved", v, i)
		}
	}
	step := 0
	if v, ok := f.Metadata[ModelMetaStep]; ok {
		if step, err = strconv.Atoi(v); err != nil || step < 0 {
			return nil, bad("the metadata %q is %q: give the training steps the weights have had as a whole number, 0 or more, or leave it out", ModelMetaStep, truncate(v, 40))
		}
	}
	return &ModelFile{Config: c, Params: params, Step: step}, nil
}

// describeArch names the network of c on k features for error messages:
// its dense widths, and its kind and convolutions when it has them.
func describeArch(c Config, k int) string {
	d := Arrow(c.Sizes(k))
	if c.IsVAE() {
		d = "vae " + d
	}
	if len(c.Conv) > 0 {
		d += fmt.Sprintf(" with %d convolutions", len(c.Conv))
	}
	return d
}

// planNames lists the tensors of a plan, shortened.
func planNames(plan []planTensor) string {
	var names []string
	for _, pt := range plan {
		names = append(names, pt.name)
	}
	if len(names) > 8 {
		names = append(names[:7:7], "…", names[len(names)-1])
	}
	return strings.Join(names, ", ")
}

// ModelBytes is WriteModel into memory.
func ModelBytes(c Config, snap *ae.Snapshot) ([]byte, error) {
	var b bytes.Buffer
	if err := WriteModel(&b, c, snap); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
