package ae

import (
	"errors"
	"math"
	"testing"
)

// A snapshot rebuilt from another's parameters computes bit-identical
// reconstructions; a model given them too.
func TestNewSnapshotRoundTrip(t *testing.T) {
	for _, kind := range []Kind{AE, VAE} {
		c := Config{Kind: kind, Sizes: []int{6, 5, 2, 5, 6}, Bottleneck: 2, Hidden: ReLU, Latent: Linear, Output: Sigmoid,
			Loss: BCE, Optimizer: Optimizer{Kind: Adam, LearningRate: 0.01}, BatchSize: 4, Seed: 3}
		if kind == VAE {
			c.Latent = ""
		}
		m, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float32, 4*6)
		for i := range x {
			x[i] = float32(i%7) / 7
		}
		for range 5 {
			m.TrainStep(x, nil, 4)
		}
		a := m.Snapshot()
		shapes, n := c.LayerShapes(), 0
		for _, s := range shapes {
			n += (s.In + 1) * s.Out
		}
		if n != len(a.Params()) {
			t.Fatalf("%s: LayerShapes account for %d parameters, Params has %d", kind, n, len(a.Params()))
		}
		b, err := NewSnapshot(m.Config(), a.Params(), a.Steps())
		if err != nil {
			t.Fatal(err)
		}
		ra, rb := make([]float32, len(x)), make([]float32, len(x))
		a.Reconstruct(ra, x, 4)
		b.Reconstruct(rb, x, 4)
		for i := range ra {
			if math.Float32bits(ra[i]) != math.Float32bits(rb[i]) {
				t.Fatalf("%s: reconstruction %d differs: %v vs %v", kind, i, ra[i], rb[i])
			}
		}
		m2, _ := New(c)
		m2.SetParams(a.Params(), a.Steps())
		m2.Reconstruct(rb, x, 4)
		if math.Float32bits(ra[0]) != math.Float32bits(rb[0]) || m2.Steps() != 5 {
			t.Fatalf("%s: SetParams did not restore the weights and steps", kind)
		}
		if _, err := NewSnapshot(c, a.Params()[1:], 0); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: NewSnapshot with one parameter missing: %v, want ErrInvalidConfig", kind, err)
		}
	}
}
