package session

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
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
		{"unknown dataset", rewrite(func(ts []safetensors.Tensor, meta map[string]string) []safetensors.Tensor {
			meta["config"] = strings.Replace(meta["config"], `"dataset":"mnist"`, `"dataset":"nope"`, 1)
			return ts
		}), "dataset"},
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
		}), "encoder.1 has shapes"},
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

// A convolutional model cannot be exported or imported yet, and says so.
func TestModelFileRefusesConv(t *testing.T) {
	c, fe := Validate(convConfig(), testRegistry, DefaultLimits())
	if len(fe) != 0 {
		t.Fatal(fe)
	}
	model, err := ae.New(aeConfig(c, 784))
	if err != nil {
		t.Fatal(err)
	}
	err = WriteModel(&bytes.Buffer{}, c, model.Snapshot())
	if ErrorCode(err) != EConflict || !strings.Contains(err.Error(), "convolutional") {
		t.Fatalf("WriteModel of a conv model: %v; want a conflict naming it", err)
	}
	cfg, _ := json.Marshal(c)
	var b bytes.Buffer
	_ = safetensors.Write(&b, []safetensors.Tensor{{Name: "encoder.0.weight", Shape: []int{1, 1}, Data: []float32{0}}}, map[string]string{"config": string(cfg)})
	m := newTestManager(t, Options{})
	if _, err := m.ReadModel(b.Bytes()); err == nil || !strings.Contains(err.Error(), "convolutional") {
		t.Fatalf("ReadModel of a conv model: %v", err)
	}
}
