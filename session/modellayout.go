package session

import (
	"strconv"

	"github.com/aelab/aelab/ae"
)

// The layout of a model file: which tensor of PyTorch's naming holds which
// of the engine's parameters (docs/export.md). A plan lists the tensors in
// file order; tensor t's value j is the engine's parameter t.idx[j]. Every
// parameter appears in exactly one place, so writing a file and reading it
// back is a permutation and its inverse. The positions are computed, not
// stored, so a plan takes no memory in proportion to the model.

// planTensor is one tensor of a model file and where its values live in
// the engine's parameters: value j (row-major in shape) is parameter at(j).
type planTensor struct {
	name  string
	shape []int
	at    func(j int) int
}

// size is the number of values of the tensor.
func (pt planTensor) size() int {
	n := 1
	for _, d := range pt.shape {
		n *= d
	}
	return n
}

// convShape is the shape of the image after one convolution: channels,
// height and width.
type convShape struct{ c, h, w int }

// convOutShapes returns the image shape after each convolution of ac
// ("same" padding (k−1)/2, as ae.ConvLayer says).
func convOutShapes(ac ae.Config) []convShape {
	out := make([]convShape, len(ac.Conv))
	h, w := ac.Image.Height, ac.Image.Width
	for i, l := range ac.Conv {
		p := (l.Kernel - 1) / 2
		h, w = (h+2*p-l.Kernel)/l.Stride+1, (w+2*p-l.Kernel)/l.Stride+1
		out[i] = convShape{l.Filters, h, w}
	}
	return out
}

// modelPlan returns the tensors of a model file for the engine
// configuration ac (valid), in file order: the dense encoder layers
// encoder.{i}; for a VAE the code layer's two heads mu and logvar (the
// engine's one layer of 2M outputs, μ first); the dense decoder layers
// decoder.{i}; then encoder_conv.{i} and decoder_conv.{i}.
func modelPlan(ac ae.Config) []planTensor {
	shapes := ac.LayerShapes()
	vae := ac.Kind == ae.VAE
	// perm maps PyTorch's flattened (c, y, x) feature of the last
	// convolution's output to the engine's pixel-major (y, x, c) one;
	// identity without convolutions.
	var perm func(int) int
	if len(ac.Conv) > 0 {
		s := convOutShapes(ac)
		last := s[len(s)-1]
		px := last.h * last.w
		perm = func(p int) int { return (p%px)*last.c + p/px }
	} else {
		perm = func(p int) int { return p }
	}
	var plan []planTensor
	off := 0
	add := func(name string, shape []int, at func(j int) int) {
		plan = append(plan, planTensor{name: name, shape: shape, at: at})
	}
	// linear adds name.weight [outs, in] and name.bias [outs] for the
	// engine's outputs o0…o0+outs−1 of the layer of shape sh at off (its
	// W is in × out, row-major, then b); first and last say whether its
	// input or its output is the convolutions' flattened image.
	linear := func(name string, sh ae.LayerShape, o0, outs int, first, last bool) {
		base := off
		outAt := func(o int) int {
			if last {
				return perm(o)
			}
			return o0 + o
		}
		add(name+".weight", []int{outs, sh.In}, func(j int) int {
			o, i := j/sh.In, j%sh.In
			if first {
				i = perm(i)
			}
			return base + i*sh.Out + outAt(o)
		})
		add(name+".bias", []int{outs}, func(o int) int { return base + sh.In*sh.Out + outAt(o) })
	}
	for l, sh := range shapes {
		first, last := l == 0, l == len(shapes)-1
		switch {
		case vae && l == ac.Bottleneck-1:
			m := sh.Out / 2
			linear("mu", sh, 0, m, first, false)
			linear("logvar", sh, m, m, first, false)
		case l < ac.Bottleneck:
			linear("encoder."+strconv.Itoa(l), sh, 0, sh.Out, first, false)
		default:
			linear("decoder."+strconv.Itoa(l-ac.Bottleneck), sh, 0, sh.Out, false, last)
		}
		off += (sh.In + 1) * sh.Out
	}
	if len(ac.Conv) == 0 {
		return plan
	}
	outs := convOutShapes(ac)
	inCh := func(i int) int {
		if i == 0 {
			return ac.Image.Channels
		}
		return outs[i-1].c
	}
	bias := func(name string, n int) {
		base := off
		add(name, []int{n}, func(c int) int { return base + c })
		off += n
	}
	// Encoder convolution i: the engine's W is patch × out with the patch
	// ordered (ky, kx, c_in); nn.Conv2d's is [out, in, kh, kw].
	for i, l := range ac.Conv {
		cin, cout, k := inCh(i), l.Filters, l.Kernel
		base, p := off, "encoder_conv."+strconv.Itoa(i)
		add(p+".weight", []int{cout, cin, k, k}, func(j int) int {
			kx, ky, ci, co := j%k, j/k%k, j/(k*k)%cin, j/(k*k*cin)
			return base + ((ky*k+kx)*cin+ci)*cout + co
		})
		off += cin * cout * k * k
		bias(p+".bias", cout)
	}
	// Decoder transposed convolution j mirrors encoder convolution
	// n−1−j: the engine's W is in × patch, the patch ordered
	// (ky, kx, c_out); nn.ConvTranspose2d's is [in, out, kh, kw].
	for j := range ac.Conv {
		i := len(ac.Conv) - 1 - j
		cin, cout, k := ac.Conv[i].Filters, inCh(i), ac.Conv[i].Kernel
		base, p := off, "decoder_conv."+strconv.Itoa(j)
		add(p+".weight", []int{cin, cout, k, k}, func(j int) int {
			kx, ky, co, ci := j%k, j/k%k, j/(k*k)%cout, j/(k*k*cout)
			return base + ci*k*k*cout + (ky*k+kx)*cout + co
		})
		off += cin * cout * k * k
		bias(p+".bias", cout)
	}
	return plan
}
