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
// the first layer after the code. The metadata holds the session's
// configuration as JSON under "config", and the activation after each
// linear layer under "activations".

// Metadata keys of a model file.
const (
	ModelMetaConfig      = "config"
	ModelMetaActivations = "activations"
	ModelMetaStep        = "step"
	ModelMetaFormat      = "format"
)

// layerNames returns the tensor name prefix of each dense layer of a model
// whose code layer is dense layer enc−1.
func layerNames(layers, enc int) []string {
	names := make([]string, layers)
	for l := range names {
		if l < enc {
			names[l] = "encoder." + strconv.Itoa(l)
		} else {
			names[l] = "decoder." + strconv.Itoa(l-enc)
		}
	}
	return names
}

// activations returns the activation after each dense layer of c.
func activations(c Config, layers int) []string {
	enc := len(c.Encoder) + 1
	out := make([]string, layers)
	for l := range out {
		switch {
		case l == layers-1:
			out[l] = c.OutputActivation
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
	if len(ac.Conv) > 0 || (ac.Kind != "" && ac.Kind != ae.AE) {
		kind := "variational"
		if len(ac.Conv) > 0 {
			kind = "convolutional"
		}
		return Errorf(EConflict, "downloading a %s model is not supported yet: only dense autoencoders can be downloaded", kind)
	}
	shapes := ac.LayerShapes()
	params := snap.Params()
	names := layerNames(len(shapes), ac.Bottleneck)
	var ts []safetensors.Tensor
	off := 0
	for l, sh := range shapes {
		wt := make([]float32, sh.In*sh.Out)
		// The engine keeps W as in×out; nn.Linear as out×in.
		for i := 0; i < sh.In; i++ {
			for o := 0; o < sh.Out; o++ {
				wt[o*sh.In+i] = params[off+i*sh.Out+o]
			}
		}
		off += sh.In * sh.Out
		ts = append(ts,
			safetensors.Tensor{Name: names[l] + ".weight", Shape: []int{sh.Out, sh.In}, Data: wt},
			safetensors.Tensor{Name: names[l] + ".bias", Shape: []int{sh.Out}, Data: slices.Clone(params[off : off+sh.Out])})
		off += sh.Out
	}
	cfg, err := json.Marshal(c)
	if err != nil {
		return err
	}
	acts, _ := json.Marshal(activations(c, len(shapes)))
	meta := map[string]string{ModelMetaConfig: string(cfg), ModelMetaActivations: string(acts),
		ModelMetaStep: strconv.Itoa(snap.Steps()), ModelMetaFormat: "pt"}
	return safetensors.Write(w, ts, meta)
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
	var c Config
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, bad("the configuration in the file's metadata is not valid: %v", err)
	}
	if len(c.Conv) > 0 {
		return nil, bad("importing a convolutional model is not supported yet: only dense autoencoders (no \"conv\" in the configuration) can be uploaded")
	}
	first, ok := f.Get("encoder.0.weight")
	if !ok || len(first.Shape) != 2 {
		return nil, bad(`the file has no tensor "encoder.0.weight" of shape [out, in]: name the layers as nn.Linear layers in ModuleLists "encoder" and "decoder" (see docs/export.md)`)
	}
	k := first.Shape[1]
	c, fe := Validate(c, m.reg, m.lim)
	if len(fe) > 0 {
		return nil, bad("the configuration in the file is refused: %s: %s", fe[0].Field, fe[0].Message)
	}
	info, _ := m.reg.Info(c.Dataset)
	if info.Features != k {
		return nil, bad("the model reads %d features but dataset %q has %d: import it with the dataset it was trained on", k, c.Dataset, info.Features)
	}
	ac := aeConfig(c, k)
	shapes := ac.LayerShapes()
	names := layerNames(len(shapes), ac.Bottleneck)
	want := map[string]bool{}
	params := make([]float32, 0, ac.NumParams())
	for l, sh := range shapes {
		w, okW := f.Get(names[l] + ".weight")
		b, okB := f.Get(names[l] + ".bias")
		if !okW || !okB {
			return nil, bad("the file lacks %s.weight or %s.bias: the configuration %s needs %d linear layers", names[l], names[l], Arrow(c.Sizes(k)), len(shapes))
		}
		if !slices.Equal(w.Shape, []int{sh.Out, sh.In}) || !slices.Equal(b.Shape, []int{sh.Out}) {
			return nil, bad("%s has shapes %s and %s; the configuration %s needs [%d, %d] and [%d]", names[l],
				safetensors.ShapeString(w.Shape), safetensors.ShapeString(b.Shape), Arrow(c.Sizes(k)), sh.Out, sh.In, sh.Out)
		}
		want[w.Name], want[b.Name] = true, true
		for i := 0; i < sh.In; i++ {
			for o := 0; o < sh.Out; o++ {
				params = append(params, w.Data[o*sh.In+i])
			}
		}
		params = append(params, b.Data...)
	}
	for _, t := range f.Tensors {
		if !want[t.Name] {
			return nil, bad("unexpected tensor %q: the configuration %s has only %d linear layers (encoder.0…, decoder.0…)", t.Name, Arrow(c.Sizes(k)), len(shapes))
		}
	}
	for i, v := range params {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, bad("the weights hold a non-finite value (%v at position %d): the model diverged before it was saved", v, i)
		}
	}
	step, _ := strconv.Atoi(f.Metadata[ModelMetaStep])
	return &ModelFile{Config: c, Params: params, Step: max(step, 0)}, nil
}

// ModelBytes is WriteModel into memory.
func ModelBytes(c Config, snap *ae.Snapshot) ([]byte, error) {
	var b bytes.Buffer
	if err := WriteModel(&b, c, snap); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
