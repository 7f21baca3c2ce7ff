package session

import (
	"errors"
	"slices"
	"testing"

	"github.com/aelab/aelab/ae"
)

// FuzzReadModel: whatever the bytes, ReadModel refuses them with an
// invalid-file error or returns weights that write back to a file it reads
// the same. Seeds: a convolutional VAE's file and a dense one's.
func FuzzReadModel(f *testing.F) {
	for _, cc := range []Config{small(), func() Config { c := convConfig(); c.Kind, c.Bottleneck = "vae", 4; return c }()} {
		c, fe := Validate(cc, testRegistry, DefaultLimits())
		if len(fe) != 0 {
			f.Fatal(fe)
		}
		model, err := ae.New(aeConfig(c, 784))
		if err != nil {
			f.Fatal(err)
		}
		b, err := ModelBytes(c, model.Snapshot())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	m := NewManager(Options{Datasets: testRegistry})
	f.Fuzz(func(t *testing.T, data []byte) {
		mf, err := m.ReadModel(data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != EInvalid || e.Field != "file" {
				t.Fatalf("ReadModel error %v is not an invalid-file error", err)
			}
			return
		}
		snap, err := ae.NewSnapshot(aeConfig(mf.Config, featuresOf(t, m, mf.Config)), mf.Params, mf.Step)
		if err != nil {
			t.Fatalf("accepted weights do not make a model: %v", err)
		}
		again, err := ModelBytes(mf.Config, snap)
		if err != nil {
			t.Fatal(err)
		}
		mf2, err := m.ReadModel(again)
		if err != nil || !slices.Equal(mf2.Params, mf.Params) {
			t.Fatalf("the accepted file does not write back the same: %v", err)
		}
	})
}

// featuresOf is the number of features of c's dataset.
func featuresOf(t *testing.T, m *Manager, c Config) int {
	info, err := m.reg.Info(c.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	return info.Features
}
