package ae

import (
	"fmt"
	"runtime"
	"slices"
)

// Model is a dense autoencoder with its optimizer state and its buffers.
// It is not safe for concurrent use: one goroutine owns it.
type Model struct {
	cfg    Config // validated copy, optimizer defaults applied
	layers []dense
	params []float32 // every weight and bias, layer after layer: W0, b0, W1, b1, …
	grads  []float32 // ∂L/∂params, same layout
	opt    updater
	lr     float64
	loss   lossKind
	train  *workspace // BatchSize rows, with gradient buffers
	eval   *workspace // evaluation chunks: train itself if BatchSize ≥ evalRows
	steps  int
}

// New validates c and returns a model with freshly initialised weights (see
// initParams for the scheme) drawn from a PCG seeded by c.Seed, so equal
// configs give equal models. A user mistake in c returns an error wrapping
// ErrInvalidConfig.
func New(c Config) (*Model, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c.Sizes = slices.Clone(c.Sizes)
	c.Optimizer = c.Optimizer.WithDefaults()
	loss, _ := c.Loss.kind()

	np := c.NumParams()
	m := &Model{
		cfg:    c,
		layers: make([]dense, len(c.Sizes)-1),
		params: make([]float32, np),
		grads:  make([]float32, np),
		opt:    newUpdater(c.Optimizer, np),
		lr:     c.Optimizer.LearningRate,
		loss:   loss,
	}
	bindLayers(m.layers, m.params, m.grads, c)
	initParams(m.layers, newRand(c.Seed))
	m.train = newWorkspace(m.layers, c.BatchSize, true)
	// Evaluation reuses the training buffers (TrainStep keeps nothing in
	// them between calls) unless they are too small to evaluate efficiently.
	m.eval = m.train
	if c.BatchSize < evalRows {
		m.eval = newWorkspace(m.layers, evalRows, false)
	}
	return m, nil
}

// bindLayers points each layer's weights and biases (and their gradients,
// when grads is not nil) into the flat parameter slices, layer after layer:
// W0, b0, W1, b1, …
func bindLayers(layers []dense, params, grads []float32, c Config) {
	hidden, _ := c.Hidden.kind()
	output, _ := c.Output.kind()
	off := 0
	for i := range layers {
		in, out := c.Sizes[i], c.Sizes[i+1]
		l := &layers[i]
		l.in, l.out, l.act = in, out, hidden
		if i == len(layers)-1 {
			l.act = output
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

// TrainStep trains on one batch: the n rows of x (n×K, row-major, 1 ≤ n ≤
// BatchSize) are pushed forward, the loss against target (n×K; nil means x
// itself) is back-propagated, and the optimizer updates every parameter.
// It returns the mean loss of the batch before the update. TrainStep does
// not allocate. It panics on shape misuse.
func (m *Model) TrainStep(x, target []float32, n int) float64 {
	loss := m.gradient(x, target, n)
	m.opt.update(m.params, m.grads, m.lr)
	m.steps++
	return loss
}

// gradient runs the forward and backward passes, leaving ∂L/∂params in
// m.grads, and returns the mean loss.
func (m *Model) gradient(x, target []float32, n int) float64 {
	if n < 1 || n > m.cfg.BatchSize {
		panicf("TrainStep: n = %d rows; want 1 ≤ n ≤ BatchSize = %d", n, m.cfg.BatchSize)
	}
	k := m.InputDim()
	checkLen("TrainStep", "x", x, n, k)
	if target == nil {
		target = x
	}
	checkLen("TrainStep", "target", target, n, k)

	ws, w := m.train, m.workers()
	last := len(m.layers) - 1
	p := m.forward(ws, x, n, 0, len(m.layers), w)
	scale := float32(1 / float64(n*k))
	sum := outputGrad(ws.d[last][:n*k], ws.z[last][:n*k], p, target, m.loss, m.layers[last].act, scale)
	m.backward(ws, x, n, w)
	return sum / float64(n*k)
}

// forward pushes the n rows of in through layers [from, to) using the
// buffers of ws, and returns the activations of layer to−1 (n rows).
func (m *Model) forward(ws *workspace, in []float32, n, from, to, workers int) []float32 {
	for i := from; i < to; i++ {
		l := &m.layers[i]
		l.forward(ws.z[i], ws.a[i], in, n, workers)
		in = ws.a[i][:n*l.out]
	}
	return in
}

// backward back-propagates from ws.d[last] = ∂L/∂z of the output layer down
// to the input x, filling m.grads. Layer i's backward turns ∂L/∂z[i] into
// ∂L/∂a[i−1]; the activation of layer i−1 turns that into ∂L/∂z[i−1].
func (m *Model) backward(ws *workspace, x []float32, n, workers int) {
	for i := len(m.layers) - 1; i > 0; i-- {
		prev := &m.layers[i-1]
		k := n * prev.out
		m.layers[i].backward(ws.d[i-1], ws.d[i], ws.a[i-1][:k], n, workers)
		prev.act.backward(ws.d[i-1][:k], ws.z[i-1][:k], ws.a[i-1][:k])
	}
	m.layers[0].backward(nil, ws.d[0], x, n, workers)
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
	c.Sizes = slices.Clone(c.Sizes)
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
