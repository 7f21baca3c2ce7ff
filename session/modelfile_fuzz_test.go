package session

import (
	"errors"
	"slices"
	"testing"

	"github.com/aelab/aelab/ae"
)

// FuzzReadModel: whatever the bytes, ReadModel refuses them with an
// invalid-file error or returns weights that write back to a file it reads
// the same. Seeds: small files of every layout ReadModel reads (a dense
// autoencoder, a dense VAE, a convolutional VAE), a few hundred bytes to a
// few KB, so that each iteration is quick; a real MNIST model's 200 KB made
// the fuzzer run a handful of inputs a minute. Inputs above maxFuzzModel
// are skipped: the checks do not depend on a file's size, which the
// handler bounds.
func FuzzReadModel(f *testing.F) {
	const maxFuzzModel = 64 << 10
	dense := Config{Dataset: "swiss_roll", Encoder: []int{4}, Bottleneck: 2, BatchSize: 16, Epochs: 1, Seed: 1}
	vae := dense
	vae.Kind = "vae"
	conv := Config{Dataset: "mnist", Encoder: []int{}, Bottleneck: 2, Kind: "vae", BatchSize: 16, Epochs: 1, Seed: 1,
		Conv: []ae.ConvLayer{{Filters: 1, Kernel: 3, Stride: 2}, {Filters: 2, Kernel: 3, Stride: 2}}}
	m := NewManager(Options{Datasets: testRegistry})
	for _, cc := range []Config{dense, vae, conv} {
		c, fe := Validate(cc, testRegistry, DefaultLimits())
		if len(fe) != 0 {
			f.Fatal(fe)
		}
		info, _ := testRegistry.Info(c.Dataset)
		model, err := ae.New(aeConfig(c, info.Features))
		if err != nil {
			f.Fatal(err)
		}
		b, err := ModelBytes(c, model.Snapshot())
		if err != nil {
			f.Fatal(err)
		}
		if len(b) > maxFuzzModel/8 {
			f.Fatalf("the %s seed is %d bytes: keep seeds small", describeArch(c, info.Features), len(b))
		}
		if _, err := m.ReadModel(b); err != nil {
			f.Fatalf("the %s seed is refused: %v", describeArch(c, info.Features), err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzModel {
			return
		}
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
