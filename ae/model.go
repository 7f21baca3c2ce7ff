package ae

import (
	"fmt"
	"math/rand/v2"
	"runtime"
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
		l.w = params[off : off+in*out : off+in*out]
		if grads != nil {
			l.gw = grads[off : off+in*out : off+in*out]
		}
		off += in * out
		l.b = params[off : off+out : off+out]
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

// TrainStep trains on one batch: the n rows of x (n×K, row-major, 1 ≤ n ≤
// BatchSize) are pushed forward, the loss against target (n×K; nil means x
// itself) is back-propagated, and the optimizer updates every parameter.
// It returns the loss of the batch before the update: what training
// minimises, Reconstruction + β·KL + Sparsity + WeightDecay (see LossParts;
// for a plain AE without regularisers, the mean reconstruction loss);
// LastParts returns its terms. TrainStep does not allocate (but the first
// computation of a parked model takes its buffers from the pool, see Park).
// It panics on shape misuse.
func (m *Model) TrainStep(x, target []float32, n int) float64 {
	loss := m.gradient(x, target, n)
	if m.cfg.WeightDecay > 0 && m.cfg.Optimizer.Kind == Adam {
		decayDecoupled(m.layers, m.cfg.WeightDecay, m.lr)
		decayDecoupled(m.conv.weightViews(), m.cfg.WeightDecay, m.lr)
	}
	m.opt.update(m.params, m.grads, m.lr)
	m.steps++
	return loss
}

// LastParts returns the terms of the loss of the last TrainStep.
func (m *Model) LastParts() LossParts { return m.parts }

// gradient runs the forward and backward passes, leaving ∂L/∂params in
// m.grads (the coupled weight decay included, not AdamW's), records the
// loss parts and returns the loss that TrainStep reports.
func (m *Model) gradient(x, target []float32, n int) float64 {
	if n < 1 || n > m.cfg.BatchSize {
		panicf("TrainStep: n = %d rows; want 1 ≤ n ≤ BatchSize = %d", n, m.cfg.BatchSize)
	}
	k := m.InputDim()
	checkLen("TrainStep", "x", x, n, k)
	m.unpark()
	if target == nil {
		target = x
	}
	checkLen("TrainStep", "target", target, n, k)

	ws, w := m.train, m.workers()
	p := m.forward(ws, x, n, 0, len(m.layers), w, m.noise)
	recScale := m.recScale(n)
	z, d, act := m.output(ws, n)
	sum := outputGrad(d, z, p, target, m.loss, act, float32(recScale))
	parts := LossParts{Reconstruction: sum * recScale}
	if m.vae {
		parts.KL = ws.kl / float64(n)
	}
	if m.cfg.Sparsity > 0 {
		code, width, cols := m.code(ws, n)
		parts.Sparsity = sparsityForward(code, width, cols, m.cfg.Sparsity, m.sparsityScale(n))
	}
	if m.cfg.WeightDecay > 0 {
		parts.WeightDecay = decayForward(m.layers, m.cfg.WeightDecay) + decayForward(m.conv.weightViews(), m.cfg.WeightDecay)
	}
	m.backward(ws, x, n, w)
	if m.cfg.WeightDecay > 0 && m.cfg.Optimizer.Kind != Adam {
		decayBackward(m.layers, m.cfg.WeightDecay)
		decayBackward(m.conv.weightViews(), m.cfg.WeightDecay)
	}
	m.parts = parts
	return parts.objective(m.beta)
}

// recScale is the reconstruction loss's weight per summed element: 1/(n·K)
// for an AE (a mean over elements), 1/n for a VAE (a sum over the features
// of each example, averaged over examples).
func (m *Model) recScale(n int) float64 {
	if m.vae {
		return 1 / float64(n)
	}
	return 1 / float64(n*m.InputDim())
}

// sparsityScale is the sparsity penalty's weight per summed |code| value,
// measured like the reconstruction: 1/(n·M) for an AE, 1/n for a VAE.
func (m *Model) sparsityScale(n int) float64 {
	if m.vae {
		return 1 / float64(n)
	}
	return 1 / float64(n*m.LatentDim())
}

// code returns the code values of the last forward pass in ws as rows of
// width width whose first cols columns are the code: the bottleneck
// activations of an AE (width = cols = M), μ in [μ | log σ²] for a VAE
// (width 2M, cols M).
func (m *Model) code(ws *workspace, n int) (a []float32, width, cols int) {
	b, lat := m.cfg.Bottleneck-1, m.LatentDim()
	width = m.layers[b].out
	return ws.a[b][:n*width], width, lat
}

// forward pushes the n rows of in through layers [from, to) using the
// buffers of ws, and returns the activations of layer to−1 (n rows). For a
// VAE, entering the decoder (layer Bottleneck) from the encoder samples the
// code z = μ + σ·ε with ε from noise (z = μ when noise is nil), and leaving
// at the bottleneck returns μ; ws.kl then holds the batch's summed KL.
func (m *Model) forward(ws *workspace, in []float32, n, from, to, workers int, noise *rand.Rand) []float32 {
	b := m.cfg.Bottleneck
	if m.conv != nil && from == 0 {
		in = m.conv.encode(ws.conv, in, n, workers)
	}
	for i := from; i < to; i++ {
		if m.vae && i == b && i > from {
			in = m.sample(ws, in, n, noise)
		}
		l := &m.layers[i]
		l.forward(ws.z[i], ws.a[i], in, n, workers)
		in = ws.a[i][:n*l.out]
	}
	if m.vae && to == b {
		in = m.sample(ws, in, n, nil)
	}
	if m.conv != nil && to == len(m.layers) {
		in = m.conv.decode(ws.conv, in, n, workers)
	}
	return in
}

// sample runs the reparameterisation on the n rows [μ | log σ²] of ml into
// ws.code and returns the codes.
func (m *Model) sample(ws *workspace, ml []float32, n int, noise *rand.Rand) []float32 {
	lat := m.LatentDim()
	ws.kl = reparamForward(ws.code, ws.eps, ml, n, lat, noise)
	return ws.code[:n*lat]
}

// backward back-propagates from ws.d[last] = ∂L/∂z of the output layer down
// to the input x, filling m.grads. Layer i's backward turns ∂L/∂z[i] into
// ∂L/∂a[i−1]; the activation of layer i−1 turns that into ∂L/∂z[i−1]. At
// the code, the sparsity penalty adds its gradient, and a VAE's
// reparameterisation carries ∂L/∂z through the sample to μ and log σ²,
// adding β·∂KL.
func (m *Model) backward(ws *workspace, x []float32, n, workers int) {
	b := m.cfg.Bottleneck
	if m.conv != nil { // from the image back to the dense output layer's ∂L/∂z
		last := &m.layers[len(m.layers)-1]
		k := n * last.out
		d, a := ws.d[len(m.layers)-1][:k], ws.a[len(m.layers)-1][:k]
		m.conv.backwardDecoder(ws.conv, d, a, n, workers)
		last.act.backward(d, ws.z[len(m.layers)-1][:k], a)
	}
	for i := len(m.layers) - 1; i > 0; i-- {
		prev := &m.layers[i-1]
		k := n * prev.out
		if m.vae && i == b {
			lat := m.LatentDim()
			m.layers[i].backward(ws.dcode, ws.d[i], ws.code[:n*lat], n, workers)
			reparamBackward(ws.d[i-1], ws.dcode, ws.a[i-1], ws.eps, n, lat, float32(m.beta/float64(n)))
		} else {
			m.layers[i].backward(ws.d[i-1], ws.d[i], ws.a[i-1][:k], n, workers)
		}
		if i == b && m.cfg.Sparsity > 0 {
			code, width, cols := m.code(ws, n)
			sparsityBackward(ws.d[i-1][:k], code, width, cols, m.cfg.Sparsity, m.sparsityScale(n))
		}
		prev.act.backward(ws.d[i-1][:k], ws.z[i-1][:k], ws.a[i-1][:k])
	}
	if m.conv == nil {
		m.layers[0].backward(nil, ws.d[0], x, n, workers)
		return
	}
	feat, dfeat := m.conv.features(ws.conv, n)
	m.layers[0].backward(dfeat, ws.d[0], feat, n, workers)
	m.conv.backwardEncoder(ws.conv, x, n, workers)
}

// workers returns the goroutine count for matrix products.
func (m *Model) workers() int {
	if m.cfg.Workers > 0 {
		return m.cfg.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// SetWorkers changes the number of goroutines used for matrix products
// (0 means runtime.GOMAXPROCS(0)). Results do not depend on it. It panics
// if w < 0.
func (m *Model) SetWorkers(w int) {
	if w < 0 {
		panicf("SetWorkers(%d): want w ≥ 0", w)
	}
	m.cfg.Workers = w
}

// SetLearningRate sets the step size used by the following TrainSteps (for
// schedules); the optimizer's state is kept. It panics unless lr is a finite
// number > 0: check user input with Config.Validate or by hand first.
func (m *Model) SetLearningRate(lr float64) {
	if err := checkLearningRate(lr); err != nil {
		panicf("SetLearningRate: %v", err)
	}
	m.lr = lr
	m.cfg.Optimizer.LearningRate = lr
}

// SetBeta sets a VAE's KL weight for the following TrainSteps. It panics
// unless the model is a VAE and 0 < beta ≤ MaxBeta.
func (m *Model) SetBeta(beta float64) {
	if !m.vae || !(beta > 0 && beta <= MaxBeta) {
		panicf("SetBeta(%v): want a VAE and 0 < β ≤ %d", beta, MaxBeta)
	}
	m.beta, m.cfg.Beta = beta, beta
}

// Beta returns a VAE's current KL weight (DefaultBeta for an AE, where it
// has no effect).
func (m *Model) Beta() float64 { return m.beta }

// Kind returns the kind of autoencoder.
func (m *Model) Kind() Kind { return m.cfg.Kind }

// LearningRate returns the current step size.
func (m *Model) LearningRate() float64 { return m.lr }

// InputDim returns K, the width of the input and of the reconstruction.
func (m *Model) InputDim() int { return m.cfg.Sizes[0] }

// LatentDim returns M, the width of the bottleneck layer.
func (m *Model) LatentDim() int { return m.cfg.Sizes[m.cfg.Bottleneck] }

// NumParams returns the number of trainable parameters.
func (m *Model) NumParams() int { return len(m.params) }

// Steps returns the number of TrainStep calls so far.
func (m *Model) Steps() int { return m.steps }

// Config returns the model's configuration, with the optimizer defaults
// filled in and the current learning rate and worker count.
func (m *Model) Config() Config {
	c := m.cfg
	c.Sizes, c.Conv = slices.Clone(c.Sizes), slices.Clone(c.Conv)
	return c
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
