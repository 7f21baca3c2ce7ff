package ae

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Model is a dense autoencoder with its optimizer state and its buffers.
// It is not safe for concurrent use: one goroutine owns it.
type Model struct {
	cfg    Config // validated copy, optimizer defaults applied
	layers []dense
	conv   *convNet  // the convolutions and their mirrors; nil without Config.Conv
	params []float32 // every weight and bias, layer after layer: W0, b0, W1, b1, …, then the convolutions'
	grads  []float32 // ∂L/∂params, same layout: the start of scratch
	opt    updater
	lr     float64
	loss   lossKind
	train  *workspace // BatchSize rows, with gradient buffers
	eval   *workspace // evaluation chunks: train itself if BatchSize ≥ evalRows
	steps  int
	parts  LossParts // of the last TrainStep

	// The buffers needed only while computing (grads, train, eval) are cut
	// out of one block of scratchLen floats; a model made by NewPooled
	// gives it back to its pool when parked (scratch.go).
	scratch    []float32
	scratchLen int
	pool       *ScratchPool
	parked     bool // grads, train and eval are nil until the next computation

	// A VAE's noise: ε for training continues from step to step; the
	// evaluation source is reseeded by every call that samples, so
	// evaluating never disturbs training and always gives the same number.
	vae       bool
	beta      float64
	noise     *rand.Rand
	noiseSrc  *rand.PCG
	evalNoise *rand.Rand
	evalSrc   *rand.PCG
}

// LossParts splits a loss into its terms, each averaged over the examples
// of the batch (or evaluation set).
type LossParts struct {
	// Reconstruction is the reconstruction loss: a mean over all n×K
	// elements for an AE; summed over the K features and averaged over the
	// examples for a VAE (nats per example with BCE).
	Reconstruction float64
	// KL is a VAE's KL(q(z|x) ‖ N(0, I)) per example, in nats, before the
	// β weight; 0 for an AE.
	KL float64
	// Sparsity is the L1 penalty on the code, λₛ included (training only).
	Sparsity float64
	// WeightDecay is λ/2·Σ W² (training only).
	WeightDecay float64
}

// objective returns what training minimises:
// Reconstruction + β·KL + Sparsity + WeightDecay.
func (p LossParts) objective(beta float64) float64 {
	return p.Reconstruction + beta*p.KL + p.Sparsity + p.WeightDecay
}

// New validates c and returns a model with freshly initialised weights (see
// initParams for the scheme) drawn from a PCG seeded by c.Seed, so equal
// configs give equal models. A user mistake in c returns an error wrapping
// ErrInvalidConfig.
func New(c Config) (*Model, error) { return newModel(c, nil) }

// newModel is New, with the buffers lent by pool when it is not nil (see
// NewPooled).
func newModel(c Config, pool *ScratchPool) (*Model, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c.Sizes, c.Conv = slices.Clone(c.Sizes), slices.Clone(c.Conv)
	c.Optimizer = c.Optimizer.WithDefaults()
	loss, _ := c.Loss.kind()

	np := c.NumParams()
	m := &Model{
		cfg:    c,
		layers: make([]dense, len(c.Sizes)-1),
		params: make([]float32, np),
		opt:    newUpdater(c.Optimizer, np),
		lr:     c.Optimizer.LearningRate,
		loss:   loss,
		pool:   pool,
	}
	// Optimizer.WeightDecay is applied by the update rule itself;
	// Config.WeightDecay by TrainStep (regularise.go).
	bindLayers(m.layers, m.params, nil, c)
	m.conv = bindConv(c, m.params, nil)
	rng := newRand(c.Seed)
	if c.denseInit() == InitHe {
		initParams(m.layers, rng)
	} else {
		initUniform(m.layers, rng) // PyTorch's scheme: see initUniform
	}
	if m.conv != nil {
		m.conv.initParams(rng)
	}
	m.initKind()
	m.noise, m.noiseSrc = newNoise(c.Seed)
	m.scratchLen = m.layoutScratch(nil)
	if pool == nil {
		m.bindScratch(make([]float32, m.scratchLen))
	} else {
		m.parked = true // the first computation takes a block from the pool
	}
	return m, nil
}

// initKind sets the fields that depend on the kind of model.
func (m *Model) initKind() {
	m.vae = m.cfg.Kind == VAE
	m.beta = m.cfg.beta()
	if m.cfg.Kind == "" {
		m.cfg.Kind = AE
	}
	m.evalNoise, m.evalSrc = newNoise(m.cfg.Seed)
}

// codeWidth is the width of a VAE's sampled code buffers (0 for an AE,
// which needs none).
func (m *Model) codeWidth() int {
	if m.vae {
		return m.LatentDim()
	}
	return 0
}

// bindLayers points each layer's weights and biases (and their gradients,
// when grads is not nil) into the flat parameter slices, layer after layer:
// W0, b0, W1, b1, …
func bindLayers(layers []dense, params, grads []float32, c Config) {
	hidden, _ := c.Hidden.kind()
	output, _ := c.Output.kind()
	off, feat := 0, c.convFeatures()
	for i := range layers {
		in, out := c.convWidths(i, c.Sizes[i], c.layerOut(i), feat)
		l := &layers[i]
		l.in, l.out, l.act = in, out, hidden
		if i == len(layers)-1 && len(c.Conv) == 0 { // with Conv, the last transposed convolution has Output
			l.act = output
		} else if i == c.Bottleneck-1 && c.Kind == VAE {
			l.act = actLinear // μ and log σ²
		} else if i == c.Bottleneck-1 && c.Latent != "" {
			l.act, _ = c.Latent.kind()
		}
		if params != nil { // nil: shapes only (Config.ScratchBytes)
			l.w = params[off : off+in*out : off+in*out]
		}
		if grads != nil {
			l.gw = grads[off : off+in*out : off+in*out]
		}
		off += in * out
		if params != nil {
			l.b = params[off : off+out : off+out]
		}
		if grads != nil {
			l.gb = grads[off : off+out : off+out]
		}
		off += out
	}
}

// bindDenseGrads points each layer's gradients into grads, laid out like
// the parameters (W0, b0, W1, b1, …), or clears them when grads is nil (a
// parked model, see Park).
func bindDenseGrads(layers []dense, grads []float32) {
	off := 0
	for i := range layers {
		l := &layers[i]
		nw := l.in * l.out
		l.gw, l.gb = nil, nil
		if grads != nil {
			l.gw = grads[off : off+nw : off+nw]
			l.gb = grads[off+nw : off+nw+l.out : off+nw+l.out]
		}
		off += nw + l.out
	}
}

// checkLen panics unless s holds exactly n rows of width w.
func checkLen(op, name string, s []float32, n, w int) {
	if len(s) != n*w {
		panicf("%s: len(%s) = %d; want n×%d = %d for n = %d", op, name, len(s), w, n*w, n)
	}
}

// panicf panics with a message prefixed by the package name. It is only
// called on failure paths, so its boxing never allocates in a hot loop.
func panicf(format string, args ...any) {
	panic(fmt.Sprintf("ae: "+format, args...))
}
