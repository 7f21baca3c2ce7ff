package ae

import (
	"fmt"
	"slices"
)

// Weights in and out of the engine, for checkpoints and exports. The
// parameters are stored layer after layer, W0, b0, W1, b1, …, each W
// row-major as in×out (see dense).

// LayerShape is the shape of one dense layer: In inputs, Out outputs.
type LayerShape struct{ In, Out int }

// LayerShapes returns the shape of every dense layer of c, from the input.
// A VAE's code layer has 2M outputs, [μ | log σ²]. The convolutions of a
// convolutional model (Conv) are not included.
func (c Config) LayerShapes() []LayerShape {
	s := make([]LayerShape, len(c.Sizes)-1)
	feat := c.convFeatures()
	for l := range s {
		in, out := c.convWidths(l, c.Sizes[l], c.layerOut(l), feat)
		s[l] = LayerShape{In: in, Out: out}
	}
	return s
}

// Params returns a copy of the snapshot's weights and biases in the
// engine's layout.
func (s *Snapshot) Params() []float32 { return slices.Clone(s.params) }

// Params returns a copy of the model's weights and biases in the layout
// of Snapshot.Params.
func (m *Model) Params() []float32 { return slices.Clone(m.params) }

// NewSnapshot returns a snapshot of a model with configuration c and the
// given weights (in the layout of Params), as if it had trained for steps
// steps: how saved or imported weights come back. It returns an error
// wrapping ErrInvalidConfig if c is invalid or params has the wrong length.
func NewSnapshot(c Config, params []float32, steps int) (*Snapshot, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if n := c.NumParams(); len(params) != n {
		return nil, fmt.Errorf("%w: %d parameters given, the network %v has %d", ErrInvalidConfig, len(params), c.Sizes, n)
	}
	c.Sizes = slices.Clone(c.Sizes)
	c.Optimizer = c.Optimizer.WithDefaults()
	if c.Kind == "" {
		c.Kind = AE
	}
	c.Workers = 1
	s := &Snapshot{cfg: c, params: slices.Clone(params), steps: steps}
	s.views.New = func() any { return s.view() }
	return s, nil
}

// SetParams replaces the model's weights and biases (in the layout of
// Params) and its step count, keeping the optimizer's state: how a
// training resumes from a checkpoint. It panics if params has the wrong
// length.
func (m *Model) SetParams(params []float32, steps int) {
	if len(params) != len(m.params) {
		panicf("SetParams: %d parameters; the model has %d", len(params), len(m.params))
	}
	copy(m.params, params)
	m.steps = steps
}
