package session

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/internal/safetensors"
)

// Export then import gives a completed session whose reconstructions,
// codes and test loss are bit-identical to the trained one's.
func TestModelExportImportRoundTrip(t *testing.T) {
	m := newTestManager(t, Options{})
	c := small()
	c.Encoder = []int{24, 12}
	c.Activation = "tanh"
	c.Epochs = 1 // keeps the test short on a loaded machine
	s, _, err := m.Create(c)
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, s)
	ctx := context.Background()
	snap, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var file bytes.Buffer
	if err := WriteModel(&file, s.Config(), snap); err != nil {
		t.Fatal(err)
	}
	// The file names and shapes its tensors as PyTorch's nn.Linear does.
	f, err := safetensors.Read(file.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{
		"encoder.0.weight": {24, 2}, "encoder.0.bias": {24}, "encoder.1.weight": {12, 24}, "encoder.1.bias": {12},
		"encoder.2.weight": {2, 12}, "encoder.2.bias": {2}, "decoder.0.weight": {12, 2}, "decoder.0.bias": {12},
		"decoder.1.weight": {24, 12}, "decoder.1.bias": {24}, "decoder.2.weight": {2, 24}, "decoder.2.bias": {2},
	}
	k := s.Summary().Features
	for name, shape := range want {
		for i := range shape {
			if shape[i] == 2 && (name == "encoder.0.weight" && i == 1 || strings.HasPrefix(name, "decoder.2")) {
				shape[i] = k
			}
		}
		tn, ok := f.Get(name)
		if !ok || safetensors.ShapeString(tn.Shape) != safetensors.ShapeString(shape) {
			t.Errorf("tensor %s: present %v, shape %v; want %v", name, ok, tn.Shape, shape)
		}
	}
	if len(f.Tensors) != len(want) {
		t.Errorf("%d tensors, want %d", len(f.Tensors), len(want))
	}
	var meta Config
	if err := json.Unmarshal([]byte(f.Metadata["config"]), &meta); err != nil || meta.Activation != "tanh" || meta.OutputActivation != "sigmoid" {
		t.Errorf("metadata config = %s (%v); want the session's, with its activations", f.Metadata["config"], err)
	}
	if f.Metadata["activations"] != `["tanh","tanh","linear","tanh","tanh","sigmoid"]` {
		t.Errorf("activations metadata = %s", f.Metadata["activations"])
	}

	mf, err := m.ReadModel(file.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	imp, _, err := m.Import("", mf)
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, imp)
	if in := imp.Info(); in.State != Completed || !in.Imported || in.TestLoss == nil {
		t.Fatalf("imported session: state %s, imported %v, test loss %v", in.State, in.Imported, in.TestLoss)
	}
	snap2, err := imp.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ds := s.Dataset()
	n := 50
	x := ds.Test.Rows(nil, 0, n)
	ra, rb := make([]float32, len(x)), make([]float32, len(x))
	snap.Reconstruct(ra, x, n)
	snap2.Reconstruct(rb, x, n)
	for i := range ra {
		if math.Float32bits(ra[i]) != math.Float32bits(rb[i]) {
			t.Fatalf("reconstruction value %d: %v after import, %v before", i, rb[i], ra[i])
		}
	}
	// The imported session's test loss is the trained one's final one.
	if a, b := *s.Info().TestLoss, *imp.Info().TestLoss; a != b {
		t.Errorf("test loss %v after import, %v before", b, a)
	}
	// Its scatter and reconstructions are there for the page.
	h, err := imp.History()
	if err != nil || len(h.Test) != 1 {
		t.Fatalf("imported history: %+v, %v", h, err)
	}
}

func TestReadModelErrors(t *testing.T) {
	m := newTestManager(t, Options{})
	s, _, err := m.Create(small())
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, s)
	snap, _ := s.Snapshot(context.Background())
	var good bytes.Buffer
	if err := WriteModel(&good, s.Config(), snap); err != nil {
		t.Fatal(err)
	}
	f, _ := safetensors.Read(good.Bytes())
	rewrite := func(edit func(ts []safetensors.Tensor, meta map[string]string) []safetensors.Tensor) []byte {
		ts := append([]safetensors.Tensor(nil), f.Tensors...)
		meta := map[string]string{}
		for k, v := range f.Metadata {
			meta[k] = v
		}
		ts = edit(ts, meta)
		var b bytes.Buffer
		if err := safetensors.Write(&b, ts, meta); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"garbage", []byte("hello, this is not a model"), "not a valid safetensors file"},
		{"no config", rewrite(func(ts []safetensors.Tensor, meta map[string]string) []safetensors.Tensor {
			delete(meta, "config")
			return ts
		}), `no "config"`},
		{"bad config", rewrite(func(ts []safetensors.Tensor, meta map[string]string) []safetensors.Tensor {
			meta["config"] = `{"dataset":"mnist","bottleneck":"two"}`
			return ts
		}), "not valid"},
		{"refused config", rewrite(func(ts []safetensors.Tensor, meta map[string]string) []safetensors.Tensor {
			meta["config"] = strings.Replace(meta["config"], `"activation":"relu"`, `"activation":"swish"`, 1)
			return ts
		}), "activation"},
		{"zero epochs", rewrite(func(ts []safetensors.Tensor, meta map[string]string) []safetensors.Tensor {
			meta["config"] = setConfigKey(t, meta["config"], "epochs", "0")
			return ts
		}), "epochs: epochs must be between 1"},
		{"zero batch size", rewrite(func(ts []safetensors.Tensor, meta map[string]string) []safetensors.Tensor {
			meta["config"] = setConfigKey(t, meta["config"], "batch_size", "0")
			return ts
		}), "batch_size: batch size must be between 1"},
		{"zero learning rate", rewrite(func(ts []safetensors.Tensor, meta map[string]string) []safetensors.Tensor {
			meta["config"] = setConfigKey(t, meta["config"], "learning_rate", "0")
			return ts
		}), "learning_rate: learning rate must be greater than 0"},
		{"empty optimizer", rewrite(func(ts []safetensors.Tensor, meta map[string]string) []safetensors.Tensor {
			meta["config"] = setConfigKey(t, meta["config"], "optimizer", `""`)
			return ts
		}), "optimizer"},
		{"zero train size from PyTorch", rewrite(func(ts []safetensors.Tensor, meta map[string]string) []safetensors.Tensor {
			meta["config"] = setConfigKey(t, meta["config"], "train_size", "0")
			delete(meta, "activations") // not written by aelab: no legacy reading of 0 as "all"
			return ts
		}), "train_size: training examples must be between 1"},
		{"key twice", rewrite(func(ts []safetensors.Tensor, meta map[string]string) []safetensors.Tensor {
			meta["config"] = strings.Replace(meta["config"], `{`, `{"epochs":3,`, 1)
			return ts
		}), `"epochs" is given twice`},
		{"unknown dataset", rewrite(func(ts []safetensors.Tensor, meta map[string]string) []safetensors.Tensor {
			meta["config"] = strings.Replace(meta["config"], `"dataset":"mnist"`, `"dataset":"nope"`, 1)
			return ts
		}), "dataset"},
		{"activations not the configuration's", rewrite(func(ts []safetensors.Tensor, meta map[string]string) []safetensors.Tensor {
			meta["activations"] = strings.ReplaceAll(meta["activations"], "relu", "tanh")
			return ts
		}), `the metadata "activations" is "[\"tanh\",\"linear\",\"tanh\",\"sigmoid\"]", but the configuration's activations after each linear layer are ["relu" "linear" "relu" "sigmoid"]`},
		{"activations not a list", rewrite(func(ts []safetensors.Tensor, meta map[string]string) []safetensors.Tensor {
			meta["activations"] = `{"hidden":"gelu"}`
			return ts
		}), `the metadata "activations" is`},
		{"missing layer", rewrite(func(ts []safetensors.Tensor, meta map[string]string) []safetensors.Tensor {
			return ts[:len(ts)-2]
		}), "lacks"},
		{"extra tensor", rewrite(func(ts []safetensors.Tensor, meta map[string]string) []safetensors.Tensor {
			return append(ts, safetensors.Tensor{Name: "head.weight", Shape: []int{1}, Data: []float32{1}})
		}), `unexpected tensor "head.weight"`},
		{"wrong shape", rewrite(func(ts []safetensors.Tensor, meta map[string]string) []safetensors.Tensor {
			for i := range ts {
				if ts[i].Name == "encoder.1.weight" {
					ts[i].Shape = []int{ts[i].Shape[1], ts[i].Shape[0]}
				}
			}
			return ts
		}), "encoder.1.weight has shape [32, 2]; the configuration 784 → 32 → 2 → 32 → 784 needs [2, 32]"},
		{"negative step", rewrite(func(ts []safetensors.Tensor, meta map[string]string) []safetensors.Tensor {
			meta["step"] = "-5"
			return ts
		}), `"step" is "-5"`},
		{"step not a number", rewrite(func(ts []safetensors.Tensor, meta map[string]string) []safetensors.Tensor {
			meta["step"] = "NaN"
			return ts
		}), `"step" is "NaN"`},
		{"nan", rewrite(func(ts []safetensors.Tensor, meta map[string]string) []safetensors.Tensor {
			d := append([]float32(nil), ts[0].Data...)
			d[3] = float32(math.NaN())
			ts[0].Data = d
			return ts
		}), "non-finite"},
	} {
		_, err := m.ReadModel(tc.data)
		var e *Error
		if !errors.As(err, &e) || e.Code != EInvalid || e.Field != "file" || !strings.Contains(e.Message, tc.want) {
			t.Errorf("%s: ReadModel = %v; want an invalid-file error saying %q", tc.name, err, tc.want)
		}
	}
}

// setConfigKey sets key to the JSON value v in the configuration cfg.
func setConfigKey(t *testing.T, cfg, key, v string) string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(cfg), &m); err != nil {
		t.Fatal(err)
	}
	m[key] = json.RawMessage(v)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestModelFileConfigIsAPostBody: the "config" of a written model file is
// a body POST /api/sessions takes, so a training and test size of "all"
// is left out rather than written as 0 (which that body refuses); a file
// aelab wrote with them as 0 still imports.
func TestModelFileConfigIsAPostBody(t *testing.T) {
	sc := small()
	sc.TrainSize, sc.TestSize, sc.Epochs = 0, 0, 1 // all examples
	c, fe := Validate(sc, testRegistry, DefaultLimits())
	if len(fe) != 0 || c.TrainSize != 0 {
		t.Fatalf("small(): %v, train_size %d", fe, c.TrainSize)
	}
	model, err := ae.New(aeConfig(c, 784))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ModelBytes(c, model.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	cfg := f.Metadata["config"]
	if strings.Contains(cfg, "train_size") || strings.Contains(cfg, "test_size") {
		t.Errorf("config %s writes a training or test size of 0", cfg)
	}
	m := NewManager(Options{Datasets: testRegistry})
	if _, err := m.ReadModel(b); err != nil {
		t.Fatalf("a file aelab writes: %v", err)
	}
	legacy := map[string]string{}
	for k, v := range f.Metadata {
		legacy[k] = v
	}
	legacy["config"] = setConfigKey(t, setConfigKey(t, cfg, "train_size", "0"), "test_size", "0")
	var old bytes.Buffer
	if err := safetensors.Write(&old, f.Tensors, legacy); err != nil {
		t.Fatal(err)
	}
	if _, err := m.ReadModel(old.Bytes()); err != nil {
		t.Fatalf("a file aelab wrote with train_size 0 (all): %v", err)
	}
}

// exportImport trains c, exports it, imports the file and checks that the
// imported session is completed with the same test loss and reconstructs
// bit-identically. It returns the file and the trained snapshot.
func exportImport(t *testing.T, c Config) (*safetensors.File, *ae.Snapshot, *Session) {
	t.Helper()
	m := newTestManager(t, Options{})
	s, _, err := m.Create(c)
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, s)
	ctx := context.Background()
	snap, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var file bytes.Buffer
	if err := WriteModel(&file, s.Config(), snap); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Read(file.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	mf, err := m.ReadModel(file.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(mf.Params, snap.Params()) {
		t.Fatal("the imported weights differ from the exported ones")
	}
	imp, _, err := m.Import("", mf)
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, imp)
	if in := imp.Info(); in.State != Completed || !in.Imported || in.TestLoss == nil {
		t.Fatalf("imported session: state %s, imported %v, test loss %v", in.State, in.Imported, in.TestLoss)
	}
	snap2, err := imp.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 20
	x := s.Dataset().Test.Rows(nil, 0, n)
	ra, rb := make([]float32, len(x)), make([]float32, len(x))
	snap.Reconstruct(ra, x, n)
	snap2.Reconstruct(rb, x, n)
	for i := range ra {
		if math.Float32bits(ra[i]) != math.Float32bits(rb[i]) {
			t.Fatalf("reconstruction value %d: %v after import, %v before", i, rb[i], ra[i])
		}
	}
	if a, b := *s.Info().TestLoss, *imp.Info().TestLoss; a != b {
		t.Errorf("test loss %v after import, %v before", b, a)
	}
	// Exporting the imported session gives the same file's tensors back.
	again, err := ModelBytes(imp.Config(), snap2)
	if err != nil {
		t.Fatal(err)
	}
	f2, err := safetensors.Read(again)
	if err != nil {
		t.Fatal(err)
	}
	for _, tn := range f.Tensors {
		t2, ok := f2.Get(tn.Name)
		if !ok || !slices.Equal(t2.Data, tn.Data) {
			t.Fatalf("re-export: tensor %s differs", tn.Name)
		}
	}
	return f, snap, s
}

// checkShapes fails unless f holds exactly the tensors of want, with those
// shapes.
func checkShapes(t *testing.T, f *safetensors.File, want map[string][]int) {
	t.Helper()
	for name, shape := range want {
		tn, ok := f.Get(name)
		if !ok || !slices.Equal(tn.Shape, shape) {
			t.Errorf("tensor %s: present %v, shape %v; want %v", name, ok, tn.Shape, shape)
		}
	}
	if len(f.Tensors) != len(want) {
		var names []string
		for _, tn := range f.Tensors {
			names = append(names, tn.Name)
		}
		t.Errorf("%d tensors %v, want %d", len(f.Tensors), names, len(want))
	}
}

// A VAE's code layer is written as PyTorch's two heads, mu and logvar, the
// engine's one layer of 2M outputs split by rows.
func TestModelExportImportVAE(t *testing.T) {
	c := small()
	c.Kind, c.Epochs = "vae", 1
	f, snap, s := exportImport(t, c)
	k := s.Summary().Features
	checkShapes(t, f, map[string][]int{
		"encoder.0.weight": {32, k}, "encoder.0.bias": {32},
		"mu.weight": {2, 32}, "mu.bias": {2}, "logvar.weight": {2, 32}, "logvar.bias": {2},
		"decoder.0.weight": {32, 2}, "decoder.0.bias": {32}, "decoder.1.weight": {k, 32}, "decoder.1.bias": {k},
	})
	// mu.weight[o][i] is the engine's W[i][o] of the code layer, logvar's
	// W[i][M+o]; their biases b[o] and b[M+o].
	p := snap.Params()
	off := (k + 1) * 32 // after encoder.0
	mu, _ := f.Get("mu.weight")
	lv, _ := f.Get("logvar.weight")
	lb, _ := f.Get("logvar.bias")
	if mu.Data[1*32+5] != p[off+5*4+1] || lv.Data[0*32+7] != p[off+7*4+2+0] || lb.Data[1] != p[off+32*4+3] {
		t.Errorf("mu/logvar are not the code layer's halves")
	}
	var meta Config
	if err := json.Unmarshal([]byte(f.Metadata["config"]), &meta); err != nil || meta.Kind != "vae" || meta.Beta == nil || *meta.Beta != 1 {
		t.Errorf("metadata config = %s (%v); want kind vae and beta 1", f.Metadata["config"], err)
	}
	if f.Metadata["activations"] != `["relu","linear","relu","sigmoid"]` {
		t.Errorf("activations metadata = %s", f.Metadata["activations"])
	}
}

// A convolutional autoencoder: the convolutions as nn.Conv2d and
// nn.ConvTranspose2d weights, the dense layers as nn.Linear, and the
// file computes what the engine computes when read as PyTorch would.
func TestModelExportImportConv(t *testing.T) {
	c := convConfig()
	c.Epochs, c.TrainSize = 1, 256
	f, snap, s := exportImport(t, c)
	checkShapes(t, f, map[string][]int{
		"encoder_conv.0.weight": {16, 1, 3, 3}, "encoder_conv.0.bias": {16},
		"encoder_conv.1.weight": {32, 16, 3, 3}, "encoder_conv.1.bias": {32},
		"encoder.0.weight": {32, 1568}, "encoder.0.bias": {32},
		"decoder.0.weight": {1568, 32}, "decoder.0.bias": {1568},
		"decoder_conv.0.weight": {32, 16, 3, 3}, "decoder_conv.0.bias": {16},
		"decoder_conv.1.weight": {16, 1, 3, 3}, "decoder_conv.1.bias": {1},
	})
	var meta Config
	if err := json.Unmarshal([]byte(f.Metadata["config"]), &meta); err != nil || len(meta.Conv) != 2 || meta.Conv[1].Filters != 32 {
		t.Errorf("metadata config = %s (%v); want the conv layers", f.Metadata["config"], err)
	}
	if f.Metadata["image"] != "[1,28,28]" {
		t.Errorf("image metadata = %q", f.Metadata["image"])
	}
	if f.Metadata["activations"] != `["linear","relu"]` {
		t.Errorf("activations metadata = %s", f.Metadata["activations"])
	}
	n := 3
	x := s.Dataset().Test.Rows(nil, 0, n)
	want := make([]float32, len(x))
	snap.Reconstruct(want, x, n)
	for e := 0; e < n; e++ {
		got := torchForward(t, f, s.Config(), x[e*784:(e+1)*784])
		for i := range got {
			if d := math.Abs(float64(got[i] - want[e*784+i])); d > 1e-4 {
				t.Fatalf("example %d pixel %d: PyTorch's reading of the file gives %v, the engine %v", e, i, got[i], want[e*784+i])
			}
		}
	}
}

// A convolutional VAE has both: convolutions and the mu/logvar heads.
func TestModelExportImportConvVAE(t *testing.T) {
	c := convConfig()
	c.Kind, c.Epochs, c.TrainSize, c.Bottleneck = "vae", 1, 256, 8
	f, _, _ := exportImport(t, c)
	for _, name := range []string{"encoder_conv.1.weight", "mu.weight", "logvar.bias", "decoder.0.weight", "decoder_conv.1.bias"} {
		if _, ok := f.Get(name); !ok {
			t.Errorf("no tensor %s", name)
		}
	}
	if mu, _ := f.Get("mu.weight"); !slices.Equal(mu.Shape, []int{8, 1568}) {
		t.Errorf("mu.weight shape %v", mu.Shape)
	}
}

// One engine weight of each convolution lands where PyTorch keeps it:
// Conv2d [out, in, kh, kw] from the engine's (ky, kx, c_in) × out, and
// ConvTranspose2d [in, out, kh, kw] from in × (ky, kx, c_out).
func TestModelConvWeightLayout(t *testing.T) {
	c, fe := Validate(convConfig(), testRegistry, DefaultLimits())
	if len(fe) != 0 {
		t.Fatal(fe)
	}
	ac := aeConfig(c, 784)
	np := ac.NumParams()
	params := make([]float32, np)
	dense := 0
	for _, sh := range ac.LayerShapes() {
		dense += (sh.In + 1) * sh.Out
	}
	conv0 := dense + 9*1*16 + 16 // encoder_conv.1 starts here: 3·3·16 × 32
	// encoder_conv.1: ky=2, kx=0, c_in=5, c_out=7.
	params[conv0+((2*3+0)*16+5)*32+7] = 1
	dec0 := conv0 + 9*16*32 + 32 // decoder_conv.0 (mirrors encoder_conv.1): 32 × 3·3·16
	// decoder_conv.0: c_in=9, ky=1, kx=2, c_out=4.
	params[dec0+9*9*16+(1*3+2)*16+4] = 2
	snap, err := ae.NewSnapshot(ac, params, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ModelBytes(c, snap)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := safetensors.Read(b)
	enc, _ := f.Get("encoder_conv.1.weight")
	if i := slices.Index(enc.Data, 1); i != ((7*16+5)*3+2)*3+0 {
		t.Errorf("encoder_conv.1 weight at flat index %d, want [7, 5, 2, 0]", i)
	}
	dec, _ := f.Get("decoder_conv.0.weight")
	if i := slices.Index(dec.Data, 2); i != ((9*16+4)*3+1)*3+2 {
		t.Errorf("decoder_conv.0 weight at flat index %d, want [9, 4, 1, 2]", i)
	}
	// Every parameter is in exactly one place.
	seen := make([]bool, np)
	for _, pt := range modelPlan(ac) {
		for j := range pt.size() {
			i := pt.at(j)
			if seen[i] {
				t.Fatalf("parameter %d written twice (%s)", i, pt.name)
			}
			seen[i] = true
		}
	}
	if i := slices.Index(seen, false); i >= 0 {
		t.Fatalf("parameter %d of %d not written", i, np)
	}
}

// Files of a convolutional VAE that do not match their configuration are
// refused with a message naming the tensor.
func TestReadModelErrorsConvVAE(t *testing.T) {
	cc := convConfig()
	cc.Kind, cc.Bottleneck = "vae", 4
	c, fe := Validate(cc, testRegistry, DefaultLimits())
	if len(fe) != 0 {
		t.Fatal(fe)
	}
	model, err := ae.New(aeConfig(c, 784))
	if err != nil {
		t.Fatal(err)
	}
	good, err := ModelBytes(c, model.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	f, _ := safetensors.Read(good)
	m := newTestManager(t, Options{})
	if _, err := m.ReadModel(good); err != nil {
		t.Fatalf("the untouched file: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(ts []safetensors.Tensor) []safetensors.Tensor
		want string
	}{
		{"no logvar", func(ts []safetensors.Tensor) []safetensors.Tensor {
			return slices.DeleteFunc(ts, func(t safetensors.Tensor) bool { return t.Name == "logvar.weight" })
		}, "lacks the tensor logvar.weight: the configuration vae 784 → 4 → 784 with 2 convolutions needs logvar.weight of shape [4, 1568]"},
		{"combined head", func(ts []safetensors.Tensor) []safetensors.Tensor {
			for i := range ts {
				if ts[i].Name == "mu.weight" { // μ and log σ² in one layer, as the engine keeps them
					ts[i].Shape, ts[i].Data = []int{8, 1568}, append(slices.Clone(ts[i].Data), ts[i].Data...)
				}
			}
			return ts
		}, "mu.weight has shape [8, 1568]; the configuration vae 784 → 4 → 784 with 2 convolutions needs [4, 1568]"},
		{"conv2d weight as [in, out]", func(ts []safetensors.Tensor) []safetensors.Tensor {
			for i := range ts {
				if ts[i].Name == "encoder_conv.1.weight" {
					ts[i].Shape = []int{16, 32, 3, 3}
				}
			}
			return ts
		}, "encoder_conv.1.weight has shape [16, 32, 3, 3]; the configuration vae 784 → 4 → 784 with 2 convolutions needs [32, 16, 3, 3]"},
		{"no convolution", func(ts []safetensors.Tensor) []safetensors.Tensor {
			return slices.DeleteFunc(ts, func(t safetensors.Tensor) bool { return strings.HasPrefix(t.Name, "decoder_conv.1.") })
		}, "lacks the tensor decoder_conv.1.weight"},
		{"extra convolution", func(ts []safetensors.Tensor) []safetensors.Tensor {
			return append(ts, safetensors.Tensor{Name: "encoder_conv.2.bias", Shape: []int{1}, Data: []float32{0}})
		}, `unexpected tensor "encoder_conv.2.bias"`},
	} {
		ts := tc.edit(slices.Clone(f.Tensors))
		var b bytes.Buffer
		if err := safetensors.Write(&b, ts, f.Metadata); err != nil {
			t.Fatal(err)
		}
		_, err := m.ReadModel(b.Bytes())
		var e *Error
		if !errors.As(err, &e) || e.Code != EInvalid || e.Field != "file" || !strings.Contains(e.Message, tc.want) {
			t.Errorf("%s: ReadModel = %v; want an invalid-file error saying %q", tc.name, err, tc.want)
		}
	}
	// The image shape in the metadata, when given, must be the one the
	// convolutions read (it was ignored: [3, 28, 28] for MNIST was taken).
	for _, img := range []string{"[3,28,28]", "[1,1000000000,1000000000]", "garbage", "[1,28]"} {
		meta := maps.Clone(f.Metadata)
		meta[ModelMetaImage] = img
		var b bytes.Buffer
		if err := safetensors.Write(&b, f.Tensors, meta); err != nil {
			t.Fatal(err)
		}
		_, err := m.ReadModel(b.Bytes())
		var e *Error
		if !errors.As(err, &e) || e.Field != "file" || !strings.Contains(e.Message, `"image"`) || !strings.Contains(e.Message, "[1, 28, 28]") {
			t.Errorf("image %s: ReadModel = %v; want an invalid-file error naming image and [1, 28, 28]", img, err)
		}
	}
	meta := maps.Clone(f.Metadata)
	delete(meta, ModelMetaImage)
	var b bytes.Buffer
	if err := safetensors.Write(&b, f.Tensors, meta); err != nil {
		t.Fatal(err)
	}
	if _, err := m.ReadModel(b.Bytes()); err != nil {
		t.Errorf("a file without image metadata (it is optional): %v", err)
	}
}
