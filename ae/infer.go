package ae

// evalRows is the least number of rows the evaluation calls process at a
// time (BatchSize if larger): inputs of any length go through in chunks, so
// the evaluation buffers have a fixed size, allocated by New.
const evalRows = 256

// Encode writes the codes of the n rows of x (n×K) to dst (n×M): the
// activations of the bottleneck layer. It panics on shape misuse.
func (m *Model) Encode(dst, x []float32, n int) {
	m.run("Encode", dst, x, n, 0, m.cfg.Bottleneck)
}

// Decode writes the reconstructions of the n codes z (n×M) to dst (n×K).
// It panics on shape misuse.
func (m *Model) Decode(dst, z []float32, n int) {
	m.run("Decode", dst, z, n, m.cfg.Bottleneck, len(m.layers))
}

// Reconstruct writes Decode(Encode(x)) for the n rows of x (n×K) to dst
// (n×K). It panics on shape misuse.
func (m *Model) Reconstruct(dst, x []float32, n int) {
	m.run("Reconstruct", dst, x, n, 0, len(m.layers))
}

// EvalLoss returns the mean loss over all elements of the n ≥ 1 rows of x
// (n×K) against target (n×K; nil means x), without training. It does not
// allocate. It panics on shape misuse.
func (m *Model) EvalLoss(x, target []float32, n int) float64 {
	if n < 1 {
		panicf("EvalLoss: n = %d; want n ≥ 1", n)
	}
	k := m.InputDim()
	checkLen("EvalLoss", "x", x, n, k)
	if target == nil {
		target = x
	}
	checkLen("EvalLoss", "target", target, n, k)
	ws, w, last := m.eval, m.workers(), len(m.layers)-1
	var sum float64
	for r := 0; r < n; r += ws.rows {
		c := min(ws.rows, n-r)
		p := m.forward(ws, x[r*k:(r+c)*k], c, 0, len(m.layers), w)
		sum += lossSum(ws.z[last][:c*k], p, target[r*k:(r+c)*k], m.loss)
	}
	return sum / float64(n*k)
}

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
	ws, w := m.eval, m.workers()
	for r := 0; r < n; r += ws.rows {
		c := min(ws.rows, n-r)
		out := m.forward(ws, in[r*win:(r+c)*win], c, from, to, w)
		copy(dst[r*wout:(r+c)*wout], out)
	}
}
