// One training step of a Model: the forward pass (with a VAE's sampling),
// the loss and its scales, and the backward pass that fills the gradients.

package ae

import (
	"math/rand/v2"
)

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
