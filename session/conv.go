package session

import (
	"strconv"
	"strings"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/datasets"
)

// MaxConvBufferBytes bounds the memory one run's convolutions may take for
// their buffers (activations, gradients and image patches, for training
// and evaluation): the reference network (two convolutions of 16 and 32
// filters on 28×28 images) takes 13 MB at batch 64.
const MaxConvBufferBytes = 96 << 20

// checkConv checks the convolutional layers of c against the dataset: it
// must be made of images, every layer's shape must work out on them (the
// engine says which layer and why), and their buffers must fit
// MaxConvBufferBytes. It returns the image shape the engine is to be given.
func checkConv(fe *FieldErrors, c Config, info datasets.Info) ae.ImageShape {
	if !info.Shape.IsImage() {
		fe.add("conv", "%s is not an image dataset (each example is a list of %d numbers): convolutions need images; leave conv out", info.Title, info.Features)
		return ae.ImageShape{}
	}
	im := ae.ImageShape{Channels: 1, Height: info.Shape.Height, Width: info.Shape.Width}
	if err := ae.CheckConv(c.Conv, im); err != nil {
		fe.add("conv", "%s", strings.TrimPrefix(err.Error(), ae.ErrInvalidConfig.Error()+": "))
		return im
	}
	if c.BatchSize >= 1 {
		c.image = im
		if b := 4 * aeConfig(c, info.Features).ConvBufferFloats(); b > MaxConvBufferBytes {
			fe.add("conv", "these convolutions need %d MB of buffers at batch size %d, more than the %d MB this server allows one run: use fewer filters, larger strides or a smaller batch",
				b>>20, c.BatchSize, MaxConvBufferBytes>>20)
		}
	}
	return im
}

// convText writes conv layers as "16/3/2, 32/3/2" (filters/kernel/stride),
// or "none".
func convText(layers []ae.ConvLayer) string {
	if len(layers) == 0 {
		return "none"
	}
	parts := make([]string, len(layers))
	for i, l := range layers {
		parts[i] = strconv.Itoa(l.Filters) + "/" + strconv.Itoa(l.Kernel) + "/" + strconv.Itoa(l.Stride)
	}
	return strings.Join(parts, ", ")
}

// Network writes the layers of the summarised model from input to output,
// e.g. "784 → 256 → 50 → 256 → 784", or for a convolutional one
// "784 → conv 16 → conv 32 → 32 → convᵀ 16 → 784": each convolution by its
// filters, each transposed convolution of the decoder by its output
// channels (the last gives back the image).
func (s Summary) Network() string {
	if len(s.Conv) == 0 || len(s.Sizes) < 3 {
		return Arrow(s.Sizes)
	}
	parts := []string{strconv.Itoa(s.Sizes[0])}
	for _, l := range s.Conv {
		parts = append(parts, "conv "+strconv.Itoa(l.Filters))
	}
	for _, w := range s.Sizes[1 : len(s.Sizes)-1] {
		parts = append(parts, strconv.Itoa(w))
	}
	for i := len(s.Conv) - 2; i >= 0; i-- {
		parts = append(parts, "convᵀ "+strconv.Itoa(s.Conv[i].Filters))
	}
	return strings.Join(append(parts, strconv.Itoa(s.Sizes[len(s.Sizes)-1])), " → ")
}
