package session

import (
	"math"
	"strconv"
	"testing"

	"github.com/aelab/aelab/internal/safetensors"
)

// torchForward reconstructs one image x (channel-major, as the dataset
// gives it) from the tensors of a model file the way PyTorch's modules
// compute it: nn.Conv2d and nn.ConvTranspose2d on C×H×W images, a
// channel-major flatten, nn.Linear layers. It is written from PyTorch's
// definitions alone, so agreeing with the engine checks the file's names,
// shapes and transpositions. Plain autoencoders with ReLU inside, a linear
// code and a sigmoid output.
func torchForward(t *testing.T, f *safetensors.File, c Config, x []float32) []float32 {
	t.Helper()
	get := func(name string) safetensors.Tensor {
		tn, ok := f.Get(name)
		if !ok {
			t.Fatalf("no tensor %s", name)
		}
		return tn
	}
	relu := func(v []float32) {
		for i := range v {
			v[i] = max(v[i], 0)
		}
	}
	linear := func(name string, in []float32) []float32 {
		w, b := get(name+".weight"), get(name+".bias")
		out := make([]float32, w.Shape[0])
		for o := range out {
			s := float64(b.Data[o])
			for i, v := range in {
				s += float64(w.Data[o*len(in)+i]) * float64(v)
			}
			out[o] = float32(s)
		}
		return out
	}
	type img struct {
		c, h, w int
		v       []float32
	}
	cur := img{1, 28, 28, x}
	var sizes []img
	for i, l := range c.Conv {
		w, b := get("encoder_conv."+strconv.Itoa(i)+".weight"), get("encoder_conv."+strconv.Itoa(i)+".bias")
		k, s, p := l.Kernel, l.Stride, (l.Kernel-1)/2
		ho, wo := (cur.h+2*p-k)/s+1, (cur.w+2*p-k)/s+1
		out := img{l.Filters, ho, wo, make([]float32, l.Filters*ho*wo)}
		for co := 0; co < out.c; co++ {
			for oy := 0; oy < ho; oy++ {
				for ox := 0; ox < wo; ox++ {
					acc := float64(b.Data[co])
					for ci := 0; ci < cur.c; ci++ {
						for ky := 0; ky < k; ky++ {
							for kx := 0; kx < k; kx++ {
								y, xx := oy*s-p+ky, ox*s-p+kx
								if y < 0 || y >= cur.h || xx < 0 || xx >= cur.w {
									continue
								}
								acc += float64(w.Data[((co*cur.c+ci)*k+ky)*k+kx]) * float64(cur.v[(ci*cur.h+y)*cur.w+xx])
							}
						}
					}
					out.v[(co*ho+oy)*wo+ox] = float32(acc)
				}
			}
		}
		relu(out.v)
		sizes = append(sizes, cur)
		cur = out
	}
	code := linear("encoder.0", cur.v) // flatten: C×H×W order
	h := linear("decoder.0", code)
	relu(h)
	cur.v = h
	for j := range c.Conv {
		i := len(c.Conv) - 1 - j
		w, b := get("decoder_conv."+strconv.Itoa(j)+".weight"), get("decoder_conv."+strconv.Itoa(j)+".bias")
		k, s, p := c.Conv[i].Kernel, c.Conv[i].Stride, (c.Conv[i].Kernel-1)/2
		big := sizes[i]
		out := img{big.c, big.h, big.w, make([]float32, big.c*big.h*big.w)}
		acc := make([]float64, len(out.v))
		for co := 0; co < out.c; co++ {
			for q := 0; q < out.h*out.w; q++ {
				acc[co*out.h*out.w+q] = float64(b.Data[co])
			}
		}
		for ci := 0; ci < cur.c; ci++ {
			for iy := 0; iy < cur.h; iy++ {
				for ix := 0; ix < cur.w; ix++ {
					v := float64(cur.v[(ci*cur.h+iy)*cur.w+ix])
					for co := 0; co < out.c; co++ {
						for ky := 0; ky < k; ky++ {
							for kx := 0; kx < k; kx++ {
								y, xx := iy*s-p+ky, ix*s-p+kx
								if y < 0 || y >= out.h || xx < 0 || xx >= out.w {
									continue
								}
								acc[(co*out.h+y)*out.w+xx] += v * float64(w.Data[((ci*out.c+co)*k+ky)*k+kx])
							}
						}
					}
				}
			}
		}
		for q, a := range acc {
			out.v[q] = float32(a)
		}
		if j < len(c.Conv)-1 {
			relu(out.v)
		} else {
			for q, v := range out.v {
				out.v[q] = float32(1 / (1 + math.Exp(-float64(v))))
			}
		}
		cur = out
	}
	return cur.v
}
