package ae

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// ConvLayer is one convolutional layer of the encoder (Config.Conv): Filters
// output channels, a Kernel×Kernel window (odd, with "same" padding
// (Kernel−1)/2) moved Stride pixels at a time. The decoder mirrors it with a
// transposed convolution back to the layer's input shape.
type ConvLayer struct {
	Filters int `json:"filters"`
	Kernel  int `json:"kernel"`
	Stride  int `json:"stride"`
}

// ImageShape is the shape of one input example as an image: Channels
// planes of Height×Width pixels, stored channel by channel, row by row.
type ImageShape struct {
	Channels, Height, Width int
}

// Size returns the number of values in one image.
func (s ImageShape) Size() int { return s.Channels * s.Height * s.Width }

// Limits of a convolutional layer checked by Validate.
const (
	MaxConvLayers  = 8
	MaxConvFilters = 512
	MaxConvKernel  = 9
	MaxConvStride  = 4
)

// convShapes returns, for each layer of c.Conv, its geometry (see conv.go),
// or an error wrapping ErrInvalidConfig that names the layer (from 1) and
// why its shapes do not work out.
func (c Config) convShapes() ([]convGeom, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
	}
	im := c.Image
	if im.Channels < 1 || im.Height < 1 || im.Width < 1 {
		return nil, bad("Conv needs the input's image shape (Image = %d×%d×%d); convolutions only apply to images",
			im.Channels, im.Height, im.Width)
	}
	if im.Size() != c.Sizes[0] {
		return nil, bad("Image %d×%d×%d has %d values but the input width Sizes[0] is %d",
			im.Channels, im.Height, im.Width, im.Size(), c.Sizes[0])
	}
	if len(c.Conv) > MaxConvLayers {
		return nil, bad("Conv has %d layers; the limit is %d", len(c.Conv), MaxConvLayers)
	}
	geo := make([]convGeom, len(c.Conv))
	ch, h, w := im.Channels, im.Height, im.Width
	for i, l := range c.Conv {
		switch {
		case l.Filters < 1 || l.Filters > MaxConvFilters:
			return nil, bad("conv layer %d: filters = %d; it must be between 1 and %d", i+1, l.Filters, MaxConvFilters)
		case l.Kernel < 1 || l.Kernel > MaxConvKernel || l.Kernel%2 == 0:
			return nil, bad("conv layer %d: kernel = %d; it must be odd, between 1 and %d (same padding needs a centre pixel)",
				i+1, l.Kernel, MaxConvKernel)
		case l.Stride < 1 || l.Stride > MaxConvStride || l.Stride > l.Kernel:
			return nil, bad("conv layer %d: stride = %d; it must be between 1 and min(kernel, %d) = %d, or pixels are skipped",
				i+1, l.Stride, MaxConvStride, min(l.Kernel, MaxConvStride))
		case l.Kernel > h || l.Kernel > w:
			return nil, bad("conv layer %d: its %d×%d input is smaller than its %d×%d kernel; use a smaller kernel or fewer strided layers",
				i+1, h, w, l.Kernel, l.Kernel)
		}
		p := (l.Kernel - 1) / 2
		g := convGeom{
			big: ch, small: l.Filters, k: l.Kernel, s: l.Stride, p: p,
			bigH: h, bigW: w, smallH: (h+2*p-l.Kernel)/l.Stride + 1, smallW: (w+2*p-l.Kernel)/l.Stride + 1,
			chw: i == 0,
		}
		// The transposed convolution with padding p gives (ho−1)·s − 2p + k
		// rows; the output padding that restores h must be in [0, s), as
		// PyTorch requires. With an odd k and same padding it always is;
		// the check keeps that promise explicit.
		if op := h - ((g.smallH-1)*g.s - 2*p + g.k); op < 0 || op >= g.s {
			return nil, bad("conv layer %d: a %d×%d input with kernel %d stride %d gives %d×%d, and the decoder cannot mirror it back to %d×%d",
				i+1, h, w, l.Kernel, l.Stride, g.smallH, g.smallW, h, w)
		}
		geo[i] = g
		ch, h, w = l.Filters, g.smallH, g.smallW
	}
	return geo, nil
}

// convFeatures returns the width of the dense part's input and output: the
// last convolution's output, flattened (Sizes[0] without Conv).
func (c Config) convFeatures() int {
	if len(c.Conv) == 0 {
		return c.Sizes[0]
	}
	geo, err := c.convShapes()
	if err != nil {
		return c.Sizes[0]
	}
	return geo[len(geo)-1].smallSize()
}

// convWidths returns the input and output widths of dense layer l, given
// in and out from Sizes: with Conv, the first layer reads and the last
// writes feat = convFeatures() values instead of Sizes[0].
func (c Config) convWidths(l, in, out, feat int) (int, int) {
	if len(c.Conv) == 0 {
		return in, out
	}
	if l == 0 {
		in = feat
	}
	if l == len(c.Sizes)-2 {
		out = feat
	}
	return in, out
}

// convNumParams returns the number of parameters of the convolutions and
// their mirrors (0 without Conv).
func (c Config) convNumParams() int {
	if len(c.Conv) == 0 {
		return 0
	}
	geo, err := c.convShapes()
	if err != nil {
		return 0
	}
	p, _, _ := convParams(geo)
	return p
}

// convParams returns the number of weights and biases of the convolutions
// and their mirrors, and the floats per example their buffers take in
// training (activations, gradients and patches) and in evaluation.
func convParams(geo []convGeom) (params, train, eval int) {
	for _, g := range geo {
		params += 2*g.patch()*g.small + g.small + g.big
		rows := g.smallH * g.smallW
		train += 3*g.smallSize() + 3*g.bigSize() + 3*rows*g.patch()
		eval += 2*g.smallSize() + 2*g.bigSize() + 2*rows*g.patch()
	}
	return params, train, eval
}

// ConvBufferFloats returns the number of float32 values (4 bytes each) in
// the buffers of the convolutions of a model built from c: training's for
// BatchSize examples and, unless it can reuse them, evaluation's for its
// chunks of max(BatchSize, 256) examples. It is 0 without Conv, and
// meaningful for convolutions that CheckConv accepts. The patches make it
// much larger than the parameters: 13 MB for the reference network of
// BenchmarkTrainConv at batch 64 (whose buffers evaluation reuses).
func (c Config) ConvBufferFloats() int {
	if len(c.Conv) == 0 {
		return 0
	}
	geo, err := c.convShapes()
	if err != nil {
		return 0
	}
	_, train, eval := convParams(geo)
	total := c.BatchSize * train
	if c.BatchSize < c.evalRows() {
		total += c.evalRows() * eval
	}
	return total
}

// convEvalRows is evalRows for convolutional models, whose buffers per
// example are many times a dense model's; 64 images already make products
// of thousands of rows.
const convEvalRows = 64

// evalRows is the least number of examples the evaluation calls of a model
// built from c process at a time.
func (c Config) evalRows() int {
	if len(c.Conv) > 0 {
		return convEvalRows
	}
	return evalRows
}

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
		p = params[off : off+k : off+k]
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

// convWork holds the buffers of the convolutions for one workspace.
type convWork struct {
	encZ, encA, encD [][]float32 // per convolution: n small images
	encCols          [][]float32 // per convolution: its patches
	decZ, decA, decD [][]float32 // per transposed convolution: n big images
	decCols          [][]float32 // forward patches, then ∂L/∂patches
	dcols            []float32   // scratch for the encoder's ∂L/∂patches
	bias             []float32   // scratch image for biases
}

// newWork allocates the buffers for rows examples (gradients only if train),
// taking each from buf (makeFloats, or a block lent by a ScratchPool).
func (cn *convNet) newWork(rows int, train bool, buf func(int) []float32) *convWork {
	cw := &convWork{}
	maxPatch, maxImg := 0, 0
	for _, l := range cn.enc {
		z := buf(rows * l.smallSize())
		a := z
		if l.act != actLinear {
			a = buf(rows * l.smallSize())
		}
		cw.encZ, cw.encA = append(cw.encZ, z), append(cw.encA, a)
		cw.encCols = append(cw.encCols, buf(rows*l.smallH*l.smallW*l.patch()))
		if train {
			cw.encD = append(cw.encD, buf(rows*l.smallSize()))
		}
		maxPatch = max(maxPatch, rows*l.smallH*l.smallW*l.patch())
		maxImg = max(maxImg, l.smallSize(), l.bigSize())
	}
	for _, l := range cn.dec {
		z := buf(rows * l.bigSize())
		a := z
		if l.act != actLinear {
			a = buf(rows * l.bigSize())
		}
		cw.decZ, cw.decA = append(cw.decZ, z), append(cw.decA, a)
		cw.decCols = append(cw.decCols, buf(rows*l.smallH*l.smallW*l.patch()))
		if train {
			cw.decD = append(cw.decD, buf(rows*l.bigSize()))
		}
	}
	if train {
		cw.dcols = buf(maxPatch)
	}
	cw.bias = buf(maxImg)
	return cw
}

// encode runs the convolutions on the n images of x and returns the
// flattened features of the last one (n rows), the dense part's input.
func (cn *convNet) encode(cw *convWork, x []float32, n, workers int) []float32 {
	for i := range cn.enc {
		l := &cn.enc[i]
		l.forward(cw.encZ[i], cw.encA[i], cw.encCols[i], cw.bias[:l.smallSize()], x, n, workers)
		x = cw.encA[i][:n*l.smallSize()]
	}
	return x
}

// decode runs the transposed convolutions on the n rows of features h
// (the dense part's output) and returns the n reconstructed images.
func (cn *convNet) decode(cw *convWork, h []float32, n, workers int) []float32 {
	for j := range cn.dec {
		l := &cn.dec[j]
		l.forward(cw.decZ[j], cw.decA[j], cw.decCols[j], cw.bias[:l.bigSize()], h, n, workers)
		h = cw.decA[j][:n*l.bigSize()]
	}
	return h
}

// output returns the pre-activations and the gradient buffer of the last
// transposed convolution (the network's output layer), n images.
func (cn *convNet) output(cw *convWork, n int) (z, d []float32) {
	last := len(cn.dec) - 1
	k := n * cn.dec[last].bigSize()
	z = cw.decZ[last][:k]
	if cw.decD != nil {
		d = cw.decD[last][:k]
	}
	return z, d
}

// backwardDecoder back-propagates from ∂L/∂z of the output layer (in the
// last decD, set by the loss) through the transposed convolutions, writing
// ∂L/∂h for the dense part's output h (n rows) to dh.
func (cn *convNet) backwardDecoder(cw *convWork, dh, h []float32, n, workers int) {
	for j := len(cn.dec) - 1; j >= 0; j-- {
		l := &cn.dec[j]
		in, dx := h, dh
		if j > 0 {
			prev := &cn.dec[j-1]
			k := n * prev.bigSize()
			in, dx = cw.decA[j-1][:k], cw.decD[j-1][:k]
		}
		l.backward(dx, cw.decD[j], in, cw.decCols[j], cw.bias[:l.bigSize()], n, workers)
		if j > 0 {
			cn.dec[j-1].act.backward(dx, cw.decZ[j-1][:len(dx)], cw.decA[j-1][:len(dx)])
		}
	}
}

// features returns the dense part's input of the last forward pass and
// the buffer for its gradient (n rows).
func (cn *convNet) features(cw *convWork, n int) (a, d []float32) {
	last := len(cn.enc) - 1
	k := n * cn.enc[last].smallSize()
	return cw.encA[last][:k], cw.encD[last][:k]
}

// backwardEncoder back-propagates ∂L/∂a of the last convolution (left in
// its encD by the dense part) down to the first, filling the gradients;
// x are the n input images.
func (cn *convNet) backwardEncoder(cw *convWork, x []float32, n, workers int) {
	for i := len(cn.enc) - 1; i >= 0; i-- {
		l := &cn.enc[i]
		k := n * l.smallSize()
		l.act.backward(cw.encD[i][:k], cw.encZ[i][:k], cw.encA[i][:k])
		var dx []float32
		if i > 0 {
			dx = cw.encD[i-1][:n*cn.enc[i-1].smallSize()]
		}
		l.backward(dx, cw.encD[i], cw.encCols[i], cw.dcols[:n*l.smallH*l.smallW*l.patch()], cw.bias[:l.smallSize()], n, workers)
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
	hidden, _ := c.Hidden.kind()
	output, _ := c.Output.kind()
	return newConvNet(geo, params[off:], grads, hidden, output)
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

// CAEConfig returns the convolutional autoencoder of the PyTorch reference
// (workload CAE of scripts/bench-vs-pytorch.sh) for MNIST's 1×28×28 images
// with a code of the given width: Conv(1→16, k3, s2) → Conv(16→32, k3, s2)
// → dense 1568 → code (linear) → 1568 → the mirrored transposed
// convolutions, ReLU inside, sigmoid output, MSE, Adam 1e-3, batch 64.
func CAEConfig(code int) Config {
	return Config{
		Sizes: []int{784, code, 784}, Bottleneck: 1,
		Conv:   []ConvLayer{{Filters: 16, Kernel: 3, Stride: 2}, {Filters: 32, Kernel: 3, Stride: 2}},
		Image:  ImageShape{Channels: 1, Height: 28, Width: 28},
		Hidden: ReLU, Latent: Linear, Output: Sigmoid, Loss: MSE,
		Optimizer: Optimizer{Kind: Adam, LearningRate: 1e-3},
		BatchSize: 64,
	}
}

// CheckConv reports whether the convolutional layers fit images of shape
// im (see Config.Conv): nil, or an error wrapping ErrInvalidConfig that
// says which layer and why.
func CheckConv(layers []ConvLayer, im ImageShape) error {
	_, err := Config{Sizes: []int{im.Size()}, Conv: layers, Image: im}.convShapes()
	return err
}
