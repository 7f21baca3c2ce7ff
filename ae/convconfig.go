// The configuration side of convolutional autoencoders: layers and image
// shapes, their geometry and limits, parameter and buffer counts, and the
// reference network.

package ae

import (
	"fmt"
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
