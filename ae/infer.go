package ae

import "math/rand/v2"

// evalRows is the least number of rows the evaluation calls process at a
// time (BatchSize if larger): inputs of any length go through in chunks, so
// the evaluation buffers have a fixed size, allocated by New. With a batch
// of at least evalRows, evaluation reuses the training buffers and costs no
// memory of its own; 64 rows already keep the matrix products efficient.
const evalRows = 64

// Encode writes the codes of the n rows of x (n×K) to dst (n×M): the
// activations of the bottleneck layer (a VAE's μ, the mean of its code
// distribution). It panics on shape misuse.
func (m *Model) Encode(dst, x []float32, n int) {
	m.run("Encode", dst, x, n, 0, m.cfg.Bottleneck)
}

// Decode writes the reconstructions of the n codes z (n×M) to dst (n×K).
// It panics on shape misuse.
func (m *Model) Decode(dst, z []float32, n int) {
	m.run("Decode", dst, z, n, m.cfg.Bottleneck, len(m.layers))
}

// Reconstruct writes Decode(Encode(x)) for the n rows of x (n×K) to dst
// (n×K) (for a VAE, the decoding of z = μ). It panics on shape misuse.
func (m *Model) Reconstruct(dst, x []float32, n int) {
	m.run("Reconstruct", dst, x, n, 0, len(m.layers))
}

// EvalLoss returns the test loss of the n ≥ 1 rows of x (n×K) against
// target (n×K; nil means x), without training: for an AE the mean
// reconstruction loss over all elements; for a VAE the negative ELBO per
// example, Reconstruction + KL (nats with BCE, whatever β), with one code
// sampled per example from a noise source reseeded by every call, so the
// same weights always give the same value. The training penalties
// (sparsity, weight decay) are not included. It does not allocate. It
// panics on shape misuse.
func (m *Model) EvalLoss(x, target []float32, n int) float64 {
	p := m.EvalParts(x, target, n)
	return p.Reconstruction + p.KL
}

// EvalParts is EvalLoss split into its Reconstruction and KL parts (the
// training penalties are 0).
func (m *Model) EvalParts(x, target []float32, n int) LossParts {
	if n < 1 {
		panicf("EvalLoss: n = %d; want n ≥ 1", n)
	}
	k := m.InputDim()
	checkLen("EvalLoss", "x", x, n, k)
	if target == nil {
		target = x
	}
	checkLen("EvalLoss", "target", target, n, k)
	m.unpark()
	ws, w := m.eval, m.workers()
	var noise *rand.Rand
	if m.vae {
		m.evalSrc.Seed(m.cfg.Seed, evalStream)
		noise = m.evalNoise
	}
	var rec, kl float64
	for r := 0; r < n; r += ws.rows {
		c := min(ws.rows, n-r)
		p := m.forward(ws, x[r*k:(r+c)*k], c, 0, len(m.layers), w, noise)
		z, _, _ := m.output(ws, c)
		rec += lossSum(z, p, target[r*k:(r+c)*k], m.loss)
		kl += ws.kl
	}
	return LossParts{Reconstruction: rec * m.recScale(n), KL: kl / float64(n)}
}

// Generate writes n new examples (n×K) to dst: a VAE's decodings of n codes
// drawn from the prior N(0, I) by a PCG seeded by seed (equal seeds, equal
// examples). It panics if the model is not a VAE (an AE has no prior to
// draw from) or on shape misuse. It does not allocate.
func (m *Model) Generate(dst []float32, n int, seed uint64) {
	if !m.vae {
		panicf("Generate: a %q model has no prior to sample; only a %q can generate", m.cfg.Kind, VAE)
	}
	if n < 0 {
		panicf("Generate: n = %d; want n ≥ 0", n)
	}
	k, lat := m.InputDim(), m.LatentDim()
	checkLen("Generate", "dst", dst, n, k)
	m.unpark()
	ws, w := m.eval, m.workers()
	m.evalSrc.Seed(seed, priorStream)
	for r := 0; r < n; r += ws.rows {
		c := min(ws.rows, n-r)
		z := ws.code[:c*lat]
		for i := range z {
			z[i] = float32(m.evalNoise.NormFloat64())
		}
		out := m.forward(ws, z, c, m.cfg.Bottleneck, len(m.layers), w, nil)
		copy(dst[r*k:(r+c)*k], out)
	}
}

// The second PCG seed words of the evaluation noise and of the prior
// samples (noiseStream is training's).
const (
	evalStream  = noiseStream + 1
	priorStream = noiseStream + 2
)

// run pushes the n rows of in (width Sizes[from]) through layers
// [from, to) chunk by chunk and copies the results (width Sizes[to]) to dst.
func (m *Model) run(op string, dst, in []float32, n, from, to int) {
	if n < 0 {
		panicf("%s: n = %d; want n ≥ 0", op, n)
	}
	win, wout := m.cfg.Sizes[from], m.cfg.Sizes[to]
	checkLen(op, "input", in, n, win)
	checkLen(op, "dst", dst, n, wout)
	if n == 0 {
		return
	}
	m.unpark()
	ws, w := m.eval, m.workers()
	for r := 0; r < n; r += ws.rows {
		c := min(ws.rows, n-r)
		out := m.forward(ws, in[r*win:(r+c)*win], c, from, to, w, nil)
		copy(dst[r*wout:(r+c)*wout], out)
	}
}
