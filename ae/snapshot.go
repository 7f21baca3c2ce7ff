package ae

import (
	"slices"
	"sync"
)

// Snapshot is a frozen copy of a model's weights. Unlike a Model it is safe
// for concurrent use: the live views (decoding a point of the latent space,
// reconstructing at another noise level) run on a snapshot while the
// training goroutine goes on updating its own model.
type Snapshot struct {
	cfg    Config
	params []float32
	steps  int
	views  sync.Pool // *Model sharing params, each with its own buffers
}

// Snapshot copies the model's current weights. It allocates the size of the
// parameters, so take one when a viewer needs it, not every step.
func (m *Model) Snapshot() *Snapshot {
	s := &Snapshot{cfg: m.cfg, params: slices.Clone(m.params), steps: m.steps}
	s.cfg.Workers = 1 // a snapshot answers small requests; it must not compete with training
	s.views.New = func() any { return s.view() }
	return s
}

// view is a Model without optimizer or training buffers whose layers read
// the snapshot's parameters.
func (s *Snapshot) view() *Model {
	loss, _ := s.cfg.Loss.kind()
	v := &Model{cfg: s.cfg, params: s.params, layers: make([]dense, len(s.cfg.Sizes)-1), loss: loss, steps: s.steps}
	bindLayers(v.layers, v.params, nil, s.cfg)
	v.conv = bindConv(s.cfg, v.params, nil)
	v.initKind()
	v.eval = newWorkspace(v.layers, s.cfg.evalRows(), false, v.codeWidth())
	v.attachConv(v.eval, false, makeFloats)
	return v
}

func (s *Snapshot) with(f func(v *Model)) {
	v := s.views.Get().(*Model)
	defer s.views.Put(v)
	f(v)
}

// Steps returns the number of training steps the weights had taken.
func (s *Snapshot) Steps() int { return s.steps }

// Config returns the configuration of the model.
func (s *Snapshot) Config() Config { return s.cfg }

// InputDim returns K, the width of the input and of the reconstruction.
func (s *Snapshot) InputDim() int { return s.cfg.Sizes[0] }

// LatentDim returns M, the width of the code.
func (s *Snapshot) LatentDim() int { return s.cfg.Sizes[s.cfg.Bottleneck] }

// Encode is Model.Encode on the frozen weights.
func (s *Snapshot) Encode(dst, x []float32, n int) {
	s.with(func(v *Model) { v.Encode(dst, x, n) })
}

// Decode is Model.Decode on the frozen weights.
func (s *Snapshot) Decode(dst, z []float32, n int) {
	s.with(func(v *Model) { v.Decode(dst, z, n) })
}

// Reconstruct is Model.Reconstruct on the frozen weights.
func (s *Snapshot) Reconstruct(dst, x []float32, n int) {
	s.with(func(v *Model) { v.Reconstruct(dst, x, n) })
}

// Kind returns the kind of autoencoder.
func (s *Snapshot) Kind() Kind { return s.cfg.Kind }

// Generate is Model.Generate on the frozen weights.
func (s *Snapshot) Generate(dst []float32, n int, seed uint64) {
	s.with(func(v *Model) { v.Generate(dst, n, seed) })
}

// EvalParts is Model.EvalParts on the frozen weights.
func (s *Snapshot) EvalParts(x, target []float32, n int) LossParts {
	var p LossParts
	s.with(func(v *Model) { p = v.EvalParts(x, target, n) })
	return p
}

// EvalLoss is Model.EvalLoss on the frozen weights.
func (s *Snapshot) EvalLoss(x, target []float32, n int) float64 {
	var l float64
	s.with(func(v *Model) { l = v.EvalLoss(x, target, n) })
	return l
}
