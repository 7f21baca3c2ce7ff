package ae

import "github.com/aelab/aelab/ae/internal/gemm"

// The two image ops of a convolutional autoencoder: the convolution of the
// encoder, which shrinks an image, and the transposed convolution of the
// decoder, which grows it back. Both are written as one GEMM over the whole
// batch plus a gather (im2col) or scatter (col2im), like the dense layers.
//
// # Layout
//
// An image of C channels is stored pixel-major ("HWC"): value (y, x, c) at
// (y·W + x)·C + c, one image after another, so a batch of n images of H×W
// pixels is the row-major matrix of n·H·W pixel rows and C channel columns.
// The network's own input and output keep the dataset's channel-major
// ("CHW") order, c·H·W + y·W + x (PyTorch's); for one channel the two are
// the same. A flattened HWC image is a permutation of PyTorch's flatten, so
// the dense layers see the same features in another order.
//
// # Geometry
//
// A k×k convolution with stride s and "same" padding p = (k−1)/2 maps a
// "big" H×W image to a "small" Ho×Wo one, Ho = ⌊(H + 2p − k)/s⌋ + 1: output
// pixel (oy, ox) looks at the input pixels (oy·s − p + ky, ox·s − p + kx)
// for ky, kx < k, zero outside the image. The transposed convolution is its
// adjoint over the same geometry: it maps Ho×Wo back to H×W, every input
// pixel spreading its k×k patch of contributions to the same positions the
// convolution read from. (PyTorch's ConvTranspose2d with padding p gives
// (Ho−1)·s − 2p + k rows; output_padding = H − that, which is in [0, s) for
// an odd k, restores H exactly.)
//
// im2col gathers, for each small-image pixel, its k×k patch of the big
// image into one row of k·k·C values (ky, kx, c); col2im adds such rows
// back into a big image (each big pixel receives from every patch covering
// it, in a fixed order, so results are deterministic).

// convGeom is the geometry shared by a convolution and its mirror image.
type convGeom struct {
	big, small     int // channels of the big and of the small image
	k, s, p        int // kernel, stride, padding
	bigH, bigW     int // big image: height, width
	smallH, smallW int // small image
	// chw: the big image is stored channel-major (the network's input or
	// output); otherwise pixel-major.
	chw bool
	// task is the im2col or col2im in progress, split over the samples.
	task imTask
}

// patch is the width of an im2col row: k·k·big.
func (g *convGeom) patch() int { return g.k * g.k * g.big }

// bigSize and smallSize are the values in one big and one small image.
func (g *convGeom) bigSize() int   { return g.bigH * g.bigW * g.big }
func (g *convGeom) smallSize() int { return g.smallH * g.smallW * g.small }

// strides returns the offsets of one pixel step and one channel step in the
// big image.
func (g *convGeom) strides() (ps, cs int) {
	if g.chw {
		return 1, g.bigH * g.bigW
	}
	return g.big, 1
}

// im2col writes cols (n·smallH·smallW rows of patch() values) from the n
// big images of img: row (i, oy, ox) holds img[i, oy·s−p+ky, ox·s−p+kx, c]
// for ky, kx, c in that order, or 0 where the patch leaves the image.
func (g *convGeom) im2col(cols, img []float32, n, workers int) {
	g.split(cols, img, n, workers, false)
}

// im2colRange is im2col for the images [lo, hi).
func (g *convGeom) im2colRange(cols, img []float32, lo, hi int) {
	pw, bs, span := g.patch(), g.bigSize(), g.k*g.big
	r := lo * g.smallH * g.smallW
	for i := lo; i < hi; i++ {
		im := img[i*bs : (i+1)*bs]
		for oy := 0; oy < g.smallH; oy++ {
			for ox := 0; ox < g.smallW; ox++ {
				row := cols[r*pw : (r+1)*pw]
				r++
				for ky := 0; ky < g.k; ky++ {
					dst := row[ky*span : (ky+1)*span]
					y, x0 := oy*g.s-g.p+ky, ox*g.s-g.p
					switch {
					case y < 0 || y >= g.bigH:
						clear(dst)
					case x0 >= 0 && x0+g.k <= g.bigW && g.contiguous():
						// The k pixels of the patch row are next to each
						// other in the image: one copy.
						copySpan(dst, im[(y*g.bigW+x0)*g.big:])
					default:
						g.gatherRow(dst, im, y, x0)
					}
				}
			}
		}
	}
}

// imTask is an im2col or col2im split into chunks of images, which
// gemm.Parallel runs on the matrix products' goroutines: each image's
// patches and pixels belong to one chunk, so the result does not depend on
// the split.
type imTask struct {
	g         *convGeom
	cols, img []float32
	n, per    int // images, images per chunk
	scatter   bool
}

// Run does chunk c: images [c·per, min((c+1)·per, n)).
func (t *imTask) Run(c int) {
	lo, hi := c*t.per, min((c+1)*t.per, t.n)
	if t.scatter {
		t.g.col2imRange(t.img, t.cols, lo, hi)
	} else {
		t.g.im2colRange(t.cols, t.img, lo, hi)
	}
}

// minSplitWork is the least number of patch values per chunk worth
// handing to another goroutine.
const minSplitWork = 1 << 14

// split runs im2col (or col2im, if scatter) on the n images, in chunks of
// images over up to workers goroutines.
func (g *convGeom) split(cols, img []float32, n, workers int, scatter bool) {
	chunks := min(n, 4*workers, n*g.smallH*g.smallW*g.patch()/minSplitWork)
	if workers <= 1 || chunks <= 1 {
		if scatter {
			g.col2imRange(img, cols, 0, n)
		} else {
			g.im2colRange(cols, img, 0, n)
		}
		return
	}
	per := (n + chunks - 1) / chunks
	g.task = imTask{g: g, cols: cols, img: img, n: n, per: per, scatter: scatter}
	gemm.Parallel((n+per-1)/per, workers, &g.task)
	g.task = imTask{} // drop the references to the buffers
}

// contiguous reports whether the channels of a pixel, and the pixels of an
// image row, are next to each other (pixel-major, or a single channel).
func (g *convGeom) contiguous() bool { return !g.chw || g.big == 1 }

// gatherRow writes one patch row (k pixels × big channels from image row y,
// starting at column x0) to dst, with zeros outside the image: the general
// case of im2col.
func (g *convGeom) gatherRow(dst, im []float32, y, x0 int) {
	ps, cs := g.strides()
	for kx := 0; kx < g.k; kx++ {
		x, d := x0+kx, dst[kx*g.big:(kx+1)*g.big]
		if x < 0 || x >= g.bigW {
			clear(d)
			continue
		}
		for c := range d {
			d[c] = im[(y*g.bigW+x)*ps+c*cs]
		}
	}
}

// copySpan copies len(dst) values from src; short spans (a kernel row of a
// single channel) in a loop rather than through memmove.
func copySpan(dst, src []float32) {
	if len(dst) > 8 {
		copy(dst, src)
		return
	}
	src = src[:len(dst)]
	for j := range dst {
		dst[j] = src[j]
	}
}

// col2im sets the n big images of img to the sum of the patches in cols:
// the adjoint of im2col. Patches are added in row order, so the sums do not
// depend on anything but the data.
func (g *convGeom) col2im(img, cols []float32, n, workers int) {
	g.split(cols, img, n, workers, true)
}

// col2imRange is col2im for the images [lo, hi).
func (g *convGeom) col2imRange(img, cols []float32, lo, hi int) {
	pw, bs, span := g.patch(), g.bigSize(), g.k*g.big
	clear(img[lo*bs : hi*bs])
	r := lo * g.smallH * g.smallW
	for i := lo; i < hi; i++ {
		im := img[i*bs : (i+1)*bs]
		for oy := 0; oy < g.smallH; oy++ {
			for ox := 0; ox < g.smallW; ox++ {
				row := cols[r*pw : (r+1)*pw]
				r++
				for ky := 0; ky < g.k; ky++ {
					src := row[ky*span : (ky+1)*span]
					y, x0 := oy*g.s-g.p+ky, ox*g.s-g.p
					switch {
					case y < 0 || y >= g.bigH:
					case x0 >= 0 && x0+g.k <= g.bigW && g.contiguous():
						addSpan(im[(y*g.bigW+x0)*g.big:], src)
					default:
						g.scatterRow(im, src, y, x0)
					}
				}
			}
		}
	}
}

// scatterRow adds one patch row to image row y from column x0, skipping
// the values outside the image: the general case of col2im.
func (g *convGeom) scatterRow(im, src []float32, y, x0 int) {
	ps, cs := g.strides()
	for kx := 0; kx < g.k; kx++ {
		x := x0 + kx
		if x < 0 || x >= g.bigW {
			continue
		}
		for c, v := range src[kx*g.big : (kx+1)*g.big] {
			im[(y*g.bigW+x)*ps+c*cs] += v
		}
	}
}

// addSpan does dst[j] += src[j] for j < len(src), the vector kernel doing
// a prefix of long spans (the same additions, so the same bits).
func addSpan(dst, src []float32) {
	dst = dst[:len(src)]
	j := 0
	if len(src) >= 16 {
		j = addVec(dst, src)
	}
	for ; j < len(src); j++ {
		dst[j] += src[j]
	}
}
