// The passes through a model's convolutions, each forward pass beside its
// backward one: the encoder's convolutions, then the decoder's transposed
// ones.

package ae

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
