package ae

import (
	"math"
	"math/rand/v2"
)

// convNet holds a model's convolutions, encoder order, and their mirrors,
// decoder order (dec[j] mirrors enc[len−1−j]).
type convNet struct {
	enc []conv
	dec []convT
	// weights views every layer's weights (and their gradients) as a dense
	// layer's w and gw, for the weight decay of regularise.go.
	weights []dense
}

// weightViews returns the convolutions' weights as dense layers that hold
// only w and gw (nil for a nil convNet: a dense model).
func (cn *convNet) weightViews() []dense {
	if cn == nil {
		return nil
	}
	return cn.weights
}

// newConvNet binds the layers of geo to params and grads (grads may be nil)
// from their start: for each encoder layer W, b; then for each decoder
// layer W, b. hidden and output are the activations.
func newConvNet(geo []convGeom, params, grads []float32, hidden, output actKind) *convNet {
	cn := &convNet{enc: make([]conv, len(geo)), dec: make([]convT, len(geo))}
	off := 0
	take := func(k int) (p, g []float32) {
		if params != nil {
			p = params[off : off+k : off+k]
		}
		if grads != nil {
			g = grads[off : off+k : off+k]
		}
		off += k
		return p, g
	}
	for i, g := range geo {
		l := &cn.enc[i]
		l.convGeom, l.act = g, hidden
		l.convGeom.chw = i == 0
		l.w, l.gw = take(g.patch() * g.small)
		l.b, l.gb = take(g.small)
	}
	for j := range cn.dec {
		g := geo[len(geo)-1-j]
		l := &cn.dec[j]
		l.convGeom, l.act = g, hidden
		l.convGeom.chw = j == len(geo)-1
		if l.chw {
			l.act = output
		}
		l.w, l.gw = take(g.small * g.patch())
		l.b, l.gb = take(g.big)
	}
	for i := range cn.enc {
		cn.weights = append(cn.weights, dense{w: cn.enc[i].w, gw: cn.enc[i].gw})
	}
	for j := range cn.dec {
		cn.weights = append(cn.weights, dense{w: cn.dec[j].w, gw: cn.dec[j].gw})
	}
	return cn
}

// bindGrads points the convolutions' gradients into grads, laid out like
// their parameters, or clears them when grads is nil (a parked model, see
// Model.Park). It does nothing on a nil convNet (a dense model).
func (cn *convNet) bindGrads(grads []float32) {
	if cn == nil {
		return
	}
	off := 0
	take := func(k int) []float32 {
		off += k
		if grads == nil {
			return nil
		}
		return grads[off-k : off : off]
	}
	for i := range cn.enc {
		l := &cn.enc[i]
		l.gw = take(len(l.w))
		l.gb = take(len(l.b))
		cn.weights[i].gw = l.gw
	}
	for j := range cn.dec {
		l := &cn.dec[j]
		l.gw = take(len(l.w))
		l.gb = take(len(l.b))
		cn.weights[len(cn.enc)+j].gw = l.gw
	}
}

// initParams draws every weight and bias of the convolutions from
// U(−a, a), a = 1/√fan_in, PyTorch's default for Conv2d and ConvTranspose2d
// (kaiming_uniform with a = √5, and the same bound for biases), with its
// fan-ins: k·k·C_in for a convolution, k·k·C_out for a transposed one
// (PyTorch reads them off the weight's shape). See initUniform for why a
// convolutional autoencoder does not use the He/Glorot scheme of the dense
// models.
func (cn *convNet) initParams(rng *rand.Rand) {
	for i := range cn.enc {
		l := &cn.enc[i]
		uniformInit(l.w, l.b, l.patch(), rng)
	}
	for j := range cn.dec {
		l := &cn.dec[j]
		uniformInit(l.w, l.b, l.k*l.k*l.big, rng)
	}
}

// initUniform draws the dense layers of a convolutional autoencoder like
// PyTorch's nn.Linear: weights and biases from U(−a, a), a = 1/√in. With
// the He/Glorot scheme of initParams (weights 2–3 times larger, zero
// biases), the reference network of BenchmarkTrainConv reached a test MSE
// of 0.0129 after one epoch, against PyTorch's 0.0095; with this one,
// 0.0095 (seed 0, scripts/quality -workload CAE).
func initUniform(layers []dense, rng *rand.Rand) {
	for i := range layers {
		uniformInit(layers[i].w, layers[i].b, layers[i].in, rng)
	}
}

// uniformInit sets w and b from U(−a, a), a = 1/√fanIn, weights first.
func uniformInit(w, b []float32, fanIn int, rng *rand.Rand) {
	a := 1 / math.Sqrt(float64(fanIn))
	for j := range w {
		w[j] = float32(a * (2*rng.Float64() - 1))
	}
	for j := range b {
		b[j] = float32(a * (2*rng.Float64() - 1))
	}
}

// bindConv returns the convolutions of c bound to the tail of params (and
// grads, unless nil), where their parameters follow the dense layers'; nil
// without Conv. c must be valid.
func bindConv(c Config, params, grads []float32) *convNet {
	if len(c.Conv) == 0 {
		return nil
	}
	geo, err := c.convShapes()
	if err != nil {
		panicf("bindConv: %v", err)
	}
	off := len(params) - c.convNumParams()
	if grads != nil {
		grads = grads[off:]
	}
	if params != nil { // nil: shapes only (Config.ScratchBytes)
		params = params[off:]
	}
	hidden, _ := c.Hidden.kind()
	output, _ := c.Output.kind()
	return newConvNet(geo, params, grads, hidden, output)
}

// attachConv gives ws the convolutions' buffers for its rows, taken from
// take.
func (m *Model) attachConv(ws *workspace, train bool, take func(int) []float32) {
	if m.conv != nil {
		ws.conv = m.conv.newWork(ws.rows, train, take)
	}
}

// output returns the network's output layer of the last forward pass in
// ws (n rows): its pre-activations z, its gradient buffer d (nil outside
// training) and its activation.
func (m *Model) output(ws *workspace, n int) (z, d []float32, act actKind) {
	if m.conv != nil {
		z, d = m.conv.output(ws.conv, n)
		return z, d, m.conv.dec[len(m.conv.dec)-1].act
	}
	last := len(m.layers) - 1
	k := n * m.layers[last].out
	z = ws.z[last][:k]
	if ws.d != nil {
		d = ws.d[last][:k]
	}
	return z, d, m.layers[last].act
}
