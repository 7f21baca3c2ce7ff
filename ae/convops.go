// The two image ops, each forward pass beside its backward one: the
// convolution (conv) and the transposed convolution (convT), with the bias
// helpers they share. Their geometry, im2col and col2im are in conv.go.

package ae

import "github.com/aelab/aelab/ae/internal/gemm"

// conv is a convolution from the big image to the small one, followed by
// its activation:
//
//	cols = im2col(x)     n·ho·wo × k·k·big
//	z    = cols·W + b    W: k·k·big × small (rows ky, kx, c), b: small
//	a    = f(z)          n·ho·wo × small, pixel-major
type conv struct {
	convGeom
	act    actKind
	w, b   []float32 // views into Model.params
	gw, gb []float32 // views into Model.grads
}

// forward computes z and a for the n images of x, leaving the patches in
// cols for the backward pass. bias is a scratch image of smallSize values.
func (l *conv) forward(z, a, cols, bias, x []float32, n, workers int) {
	rows := n * l.smallH * l.smallW
	l.im2col(cols, x, n, workers)
	gemm.Sgemm(false, false, rows, l.small, l.patch(), 1, cols, l.patch(), l.w, l.small, 0, z, l.small, workers)
	addBiasAct(l.act, z[:rows*l.small], a[:rows*l.small], bias, l.b, false)
}

// backward receives dz = ∂L/∂z and the patches of the forward pass. Since
// z = im2col(x)·W + b,
//
//	∂L/∂W = colsᵀ·dz                  (written to gw)
//	∂L/∂b = Σ over pixels of dz       (written to gb)
//	∂L/∂x = col2im(dz·Wᵀ)             (written to dx unless dx is nil)
//
// dcols (the size of cols) and bias (smallSize) are scratch.
func (l *conv) backward(dx, dz, cols, dcols, bias []float32, n, workers int) {
	rows := n * l.smallH * l.smallW
	dz = dz[:rows*l.small]
	gemm.Sgemm(true, false, l.patch(), l.small, rows, 1, cols, l.patch(), dz, l.small, 0, l.gw, l.small, workers)
	biasGrad(l.gb, bias, dz, false)
	if dx != nil {
		gemm.Sgemm(false, true, rows, l.patch(), l.small, 1, dz, l.small, l.w, l.small, 0, dcols, l.patch(), workers)
		l.col2im(dx, dcols, n, workers)
	}
}

// convT is a transposed convolution from the small image to the big one,
// followed by its activation: the adjoint of conv over the same geometry.
//
//	cols = x·W            n·ho·wo × k·k·big, W: small × k·k·big
//	z    = col2im(cols) + b
//	a    = f(z)           n big images (channel-major if chw)
type convT struct {
	convGeom
	act    actKind
	w, b   []float32
	gw, gb []float32
}

// forward computes z and a for the n small images of x (pixel-major);
// cols and bias (bigSize) are scratch.
func (l *convT) forward(z, a, cols, bias, x []float32, n, workers int) {
	rows := n * l.smallH * l.smallW
	gemm.Sgemm(false, false, rows, l.patch(), l.small, 1, x, l.small, l.w, l.patch(), 0, cols, l.patch(), workers)
	l.col2im(z, cols, n, workers)
	size := n * l.bigSize()
	addBiasAct(l.act, z[:size], a[:size], bias, l.b, l.chw)
}

// backward receives dz = ∂L/∂z (n big images). Since z = col2im(x·W) + b
// and col2im is the adjoint of im2col,
//
//	dcols = im2col(dz)
//	∂L/∂W = xᵀ·dcols                  (written to gw)
//	∂L/∂b = Σ over pixels of dz       (written to gb)
//	∂L/∂x = dcols·Wᵀ                  (written to dx unless dx is nil)
//
// dcols and bias (bigSize) are scratch.
func (l *convT) backward(dx, dz, x, dcols, bias []float32, n, workers int) {
	rows := n * l.smallH * l.smallW
	l.im2col(dcols, dz, n, workers)
	gemm.Sgemm(true, false, l.small, l.patch(), rows, 1, x, l.small, dcols, l.patch(), 0, l.gw, l.patch(), workers)
	biasGrad(l.gb, bias, dz[:n*l.bigSize()], l.chw)
	if dx != nil {
		gemm.Sgemm(false, true, rows, l.small, l.patch(), 1, dcols, l.patch(), l.w, l.patch(), 0, dx[:rows*l.small], l.small, workers)
	}
}

// addBiasAct adds the per-channel bias b to every pixel of the images in z
// and writes a = f(z). The bias is first spread over one whole image
// (scratch img, one image's size), so the activation's row loop (and its
// vector kernel) runs over whole images rather than over rows of a few
// channels.
func addBiasAct(act actKind, z, a, img, b []float32, chw bool) {
	spreadBias(img, b, chw)
	act.forward(z, a, img)
}

// spreadBias writes the per-channel values b over one image img, in the
// image's layout.
func spreadBias(img, b []float32, chw bool) {
	c := len(b)
	if chw {
		px := len(img) / c
		for ch, v := range b {
			for i := range img[ch*px : (ch+1)*px] {
				img[ch*px+i] = v
			}
		}
		return
	}
	for i := range img {
		img[i] = b[i%c]
	}
}

// biasGrad writes gb[c] = Σ of dz over every pixel of channel c of every
// image: first the column sums over the images (into img), then the sum of
// each channel's pixels, in a fixed order.
func biasGrad(gb, img, dz []float32, chw bool) {
	colSums(img, dz)
	c := len(gb)
	clear(gb)
	if chw {
		px := len(img) / c
		for ch := range gb {
			for _, v := range img[ch*px : (ch+1)*px] {
				gb[ch] += v
			}
		}
		return
	}
	for i, v := range img {
		gb[i%c] += v
	}
}
