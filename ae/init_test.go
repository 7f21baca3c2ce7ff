package ae

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// TestInitSchemes checks Config.Init: the default is He/Glorot (zero
// biases) for a dense model and PyTorch's nn.Linear default for a
// convolutional one; InitPyTorch draws weights and biases inside
// ±1/√fan_in, not all zero; an unknown name is refused.
func TestInitSchemes(t *testing.T) {
	vae := Config{Kind: VAE, Sizes: []int{784, 400, 20, 400, 784}, Bottleneck: 2, Hidden: ReLU, Output: Sigmoid,
		Loss: BCE, Optimizer: Optimizer{Kind: Adam, LearningRate: 1e-3}, BatchSize: 128, Seed: 3}
	params := func(c Config) (*Model, []float32) {
		t.Helper()
		m, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		return m, slices.Clone(m.params)
	}
	_, def := params(vae)
	he := vae
	he.Init = InitHe
	if _, p := params(he); !slices.Equal(p, def) {
		t.Error(`a dense model's default ("") is not InitHe`)
	}
	pt := vae
	pt.Init = InitPyTorch
	m, p := params(pt)
	if slices.Equal(p, def) {
		t.Fatal("InitPyTorch gave the He/Glorot weights")
	}
	for i, l := range m.layers {
		a := float32(1 / math.Sqrt(float64(l.in)))
		nonzero := 0
		for _, v := range l.b {
			if v != 0 {
				nonzero++
			}
		}
		if nonzero < len(l.b)/2 {
			t.Errorf("layer %d: %d of %d biases drawn, want PyTorch's random biases", i, nonzero, len(l.b))
		}
		for _, v := range append(slices.Clone(l.w), l.b...) {
			if v < -a || v > a {
				t.Fatalf("layer %d: %g outside ±1/√%d", i, v, l.in)
			}
		}
	}
	for i, l := range func() []dense { m, _ := New(vae); return m.layers }() {
		for _, v := range l.b {
			if v != 0 {
				t.Fatalf("He/Glorot layer %d has a bias %g, want 0", i, v)
			}
		}
	}
	cae := CAEConfig(32)
	_, cdef := params(cae)
	cae.Init = InitPyTorch
	if _, p := params(cae); !slices.Equal(p, cdef) {
		t.Error(`a convolutional model's default ("") is not InitPyTorch`)
	}
	cae.Init = InitHe
	if _, p := params(cae); slices.Equal(p, cdef) {
		t.Error("InitHe did not change a convolutional model's dense layers")
	}
	bad := vae
	bad.Init = "xavier"
	if _, err := New(bad); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("Init xavier: %v, want ErrInvalidConfig", err)
	}
}
