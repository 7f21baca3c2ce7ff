package session

import (
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
