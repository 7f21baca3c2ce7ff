package ae

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
)

// testGeoms are convolution geometries the op tests run on: several
// channels, odd and even image sizes, strides 1 to 3, both layouts.
func testGeoms() []convGeom {
	mk := func(big, small, k, s, h, w int, chw bool) convGeom {
		p := (k - 1) / 2
		return convGeom{big: big, small: small, k: k, s: s, p: p, bigH: h, bigW: w,
			smallH: (h+2*p-k)/s + 1, smallW: (w+2*p-k)/s + 1, chw: chw}
	}
	return []convGeom{
		mk(2, 3, 3, 2, 5, 6, true),
		mk(2, 3, 3, 2, 5, 6, false),
		mk(3, 2, 3, 1, 4, 4, false),
		mk(1, 4, 5, 2, 7, 7, true),
		mk(2, 2, 1, 1, 3, 2, true),
		mk(3, 2, 5, 3, 8, 6, false),
	}
}

// at returns the index of (y, x, c) in one big image of g's layout.
func (g *convGeom) at(y, x, c int) int {
	if g.chw {
		return c*g.bigH*g.bigW + y*g.bigW + x
	}
	return (y*g.bigW+x)*g.big + c
}

// TestConvForwardMatchesDefinition compares conv and convT with PyTorch's
// definitions of Conv2d and ConvTranspose2d written as plain loops:
//
//	conv:  out[co, oy, ox] = b[co] + Σ w[co, ci, ky, kx]·in[ci, oy·s−p+ky, ox·s−p+kx]
//	convT: out[co, iy·s−p+ky, ix·s−p+kx] += w[ci, co, ky, kx]·in[ci, iy, ix], + b[co]
//
// with the output of convT cropped or padded (output_padding) to H×W.
func TestConvForwardMatchesDefinition(t *testing.T) {
	const n = 2
	for gi, g := range testGeoms() {
		// Output padding as PyTorch would need it to give back H×W.
		if op := g.bigH - ((g.smallH-1)*g.s - 2*g.p + g.k); op < 0 || op >= g.s {
			t.Fatalf("geometry %d: output padding %d is not in [0, %d)", gi, op, g.s)
		}
		w := uniformData(uint64(gi)+1, g.patch(), g.small, -1, 1)
		b := uniformData(uint64(gi)+2, 1, g.small, -1, 1)
		big := uniformData(uint64(gi)+3, n, g.bigSize(), -1, 1)
		small := uniformData(uint64(gi)+4, n, g.smallSize(), -1, 1)
		wt := uniformData(uint64(gi)+5, g.small, g.patch(), -1, 1)
		bt := uniformData(uint64(gi)+6, 1, g.big, -1, 1)

		c := conv{convGeom: g, act: actLinear, w: w, b: b}
		rows := n * g.smallH * g.smallW
		z := make([]float32, rows*g.small)
		c.forward(z, z, make([]float32, rows*g.patch()), make([]float32, g.smallSize()), big, n, 1)
		for i := 0; i < n; i++ {
			for oy := 0; oy < g.smallH; oy++ {
				for ox := 0; ox < g.smallW; ox++ {
					for co := 0; co < g.small; co++ {
						want := float64(b[co])
						for ky := 0; ky < g.k; ky++ {
							for kx := 0; kx < g.k; kx++ {
								y, x := oy*g.s-g.p+ky, ox*g.s-g.p+kx
								if y < 0 || y >= g.bigH || x < 0 || x >= g.bigW {
									continue
								}
								for ci := 0; ci < g.big; ci++ {
									want += float64(w[((ky*g.k+kx)*g.big+ci)*g.small+co]) * float64(big[i*g.bigSize()+g.at(y, x, ci)])
								}
							}
						}
						got := z[((i*g.smallH+oy)*g.smallW+ox)*g.small+co]
						if math.Abs(float64(got)-want) > 1e-5 {
							t.Fatalf("geometry %d: conv out[%d, %d, %d, %d] = %v; want %v", gi, i, co, oy, ox, got, want)
						}
					}
				}
			}
		}

		ct := convT{convGeom: g, act: actLinear, w: wt, b: bt}
		zt := make([]float32, n*g.bigSize())
		ct.forward(zt, zt, make([]float32, rows*g.patch()), make([]float32, g.bigSize()), small, n, 1)
		want := make([]float64, n*g.bigSize())
		for i := 0; i < n; i++ {
			for y := 0; y < g.bigH; y++ {
				for x := 0; x < g.bigW; x++ {
					for co := 0; co < g.big; co++ {
						want[i*g.bigSize()+g.at(y, x, co)] = float64(bt[co])
					}
				}
			}
			for iy := 0; iy < g.smallH; iy++ {
				for ix := 0; ix < g.smallW; ix++ {
					for ci := 0; ci < g.small; ci++ {
						v := float64(small[((i*g.smallH+iy)*g.smallW+ix)*g.small+ci])
						for ky := 0; ky < g.k; ky++ {
							for kx := 0; kx < g.k; kx++ {
								y, x := iy*g.s-g.p+ky, ix*g.s-g.p+kx
								if y < 0 || y >= g.bigH || x < 0 || x >= g.bigW {
									continue
								}
								for co := 0; co < g.big; co++ {
									want[i*g.bigSize()+g.at(y, x, co)] += v * float64(wt[ci*g.patch()+(ky*g.k+kx)*g.big+co])
								}
							}
						}
					}
				}
			}
		}
		for j, v := range want {
			if math.Abs(float64(zt[j])-v) > 1e-5 {
				t.Fatalf("geometry %d: convT out[%d] = %v; want %v", gi, j, zt[j], v)
			}
		}
	}
}

// TestConvOpGradients checks each op's backward (weights, bias and input
// gradients) against central finite differences of L = Σ r ⊙ z for a
// random r, on every test geometry.
func TestConvOpGradients(t *testing.T) {
	const n = 2
	// The ops are linear in each of W, b and x, so a large step is exact
	// and keeps float32 rounding of the sum small against the difference.
	settings := &fd.Settings{Formula: fd.Central, Step: 0.25}
	for gi, g := range testGeoms() {
		rows := n * g.smallH * g.smallW
		for _, transposed := range []bool{false, true} {
			name := fmt.Sprintf("geometry %d conv", gi)
			inSize, outSize, wSize, bSize := n*g.bigSize(), n*g.smallSize(), g.patch()*g.small, g.small
			if transposed {
				name += "T"
				inSize, outSize, bSize = n*g.smallSize(), n*g.bigSize(), g.big
			}
			// θ = [W, b, x]: the gradient of all three at once.
			theta := uniformData(uint64(gi)+10, 1, wSize+bSize+inSize, -1, 1)
			r := uniformData(uint64(gi)+11, 1, outSize, -1, 1)
			z := make([]float32, outSize)
			cols, dcols := make([]float32, rows*g.patch()), make([]float32, rows*g.patch())
			bias := make([]float32, max(g.bigSize(), g.smallSize()))
			grad := make([]float32, len(theta))
			w, b, x := theta[:wSize], theta[wSize:wSize+bSize], theta[wSize+bSize:]
			gw, gb, gx := grad[:wSize], grad[wSize:wSize+bSize], grad[wSize+bSize:]
			var fwd func()
			var bwd func()
			if transposed {
				l := convT{convGeom: g, act: actLinear, w: w, b: b, gw: gw, gb: gb}
				fwd = func() { l.forward(z, z, cols, bias[:g.bigSize()], x, n, 1) }
				bwd = func() { l.backward(gx, r, x, dcols, bias[:g.bigSize()], n, 1) }
			} else {
				l := conv{convGeom: g, act: actLinear, w: w, b: b, gw: gw, gb: gb}
				fwd = func() { l.forward(z, z, cols, bias[:g.smallSize()], x, n, 1) }
				bwd = func() { l.backward(gx, r, cols, dcols, bias[:g.smallSize()], n, 1) }
			}
			value := func(p []float64) float64 {
				for i, v := range p {
					theta[i] = float32(v)
				}
				fwd()
				s := 0.0
				for i, v := range z {
					s += float64(v) * float64(r[i])
				}
				return s
			}
			base := slices.Clone(theta)
			want := fd.Gradient(nil, value, to64(base), settings)
			copy(theta, base)
			fwd()
			bwd()
			if worst, at := gradError(to64(grad), want, 1e-3); worst > 1e-3 {
				t.Errorf("%s: ∂L/∂θ[%d] = %v; finite difference %v (error %.1e; W %d, b %d, x %d values)",
					name, at, grad[at], want[at], worst, wSize, bSize, inSize)
			}
		}
	}
}

// convTestConfig is a small convolutional autoencoder on 2×5×6 images:
// conv 2→3 (k3 s2, 5×6 → 3×3), conv 3→2 (k3 s1), dense 18-4-3-4-18, and
// the mirrors back to 2×5×6.
func convTestConfig(hidden, out Activation, loss Loss) Config {
	return Config{
		Sizes: []int{60, 4, 3, 4, 60}, Bottleneck: 2,
		Conv:   []ConvLayer{{Filters: 3, Kernel: 3, Stride: 2}, {Filters: 2, Kernel: 3, Stride: 1}},
		Image:  ImageShape{Channels: 2, Height: 5, Width: 6},
		Hidden: hidden, Output: out, Loss: loss,
		Optimizer: Optimizer{Kind: SGD, LearningRate: 0.1},
		BatchSize: 2, Workers: 1,
	}
}

// TestConvNetworkGradient checks the back-propagated gradient of every
// parameter of small convolutional autoencoders (the convolutions, their
// mirrors and the dense layers between them) against central finite
// differences of the loss. Networks with kinks (ReLU family, L1) have
// some 150 pre-activations that must all stay off the kink: they use a
// smaller step (1/1024) and margin (0.01), so that a base point is found.
func TestConvNetworkGradient(t *testing.T) {
	cases := []struct {
		hidden, out Activation
		loss        Loss
		kind        Kind
		decay, l1   float64 // weight decay (all weights, the convolutions' too) and sparsity
	}{
		{Tanh, Sigmoid, MSE, AE, 0, 0}, {ELU, Linear, MSE, AE, 0, 0}, {Sigmoid, Sigmoid, BCE, AE, 0, 0},
		{ReLU, Sigmoid, MSE, AE, 0, 0}, {LeakyReLU, Tanh, L1, AE, 0, 0},
		{Tanh, Sigmoid, BCE, VAE, 0, 0}, {ReLU, Sigmoid, BCE, VAE, 0, 0},
		{Tanh, Sigmoid, MSE, AE, 0.5, 0.5}, {Tanh, Sigmoid, BCE, VAE, 0.5, 0.5},
	}
	for _, tc := range cases {
		name := fmt.Sprintf("%s %s/%s+%s decay %v sparsity %v", tc.kind, tc.hidden, tc.out, tc.loss, tc.decay, tc.l1)
		c := convTestConfig(tc.hidden, tc.out, tc.loss)
		c.Kind, c.WeightDecay, c.Sparsity = tc.kind, tc.decay, tc.l1
		const n = 2
		step, margin := gradStep, kinkMargin
		if tc.hidden == ReLU || tc.hidden == LeakyReLU || tc.hidden == ELU || tc.loss == L1 {
			step, margin = 1.0/1024, 0.01
		}
		found := false
		for seed := uint64(1); seed <= 500 && !found; seed++ {
			c.Seed = seed
			m := mustNew(t, c)
			for _, l := range m.layers {
				copy(l.b, uniformData(seed+1000, 1, l.out, -0.5, 0.5))
			}
			for i := range m.conv.enc {
				copy(m.conv.enc[i].b, uniformData(seed+3000, 1, len(m.conv.enc[i].b), -0.5, 0.5))
				copy(m.conv.dec[i].b, uniformData(seed+4000, 1, len(m.conv.dec[i].b), -0.5, 0.5))
			}
			x := uniformData(seed, n, 60, 0, 1)
			y := uniformData(seed+2000, n, 60, 0, 1)
			// The loss as training computes it; a VAE draws the same ε at
			// every evaluation.
			loss := func() float64 {
				if m.vae {
					m.noiseSrc.Seed(seed, 77)
				}
				return m.gradient(x, y, n)
			}
			loss()
			if !convFarFromKinks(m, m.train, y, n, margin) {
				continue
			}
			found = true
			base := slices.Clone(m.params)
			value := func(p []float64) float64 {
				for i, v := range p {
					m.params[i] = float32(v)
				}
				return loss()
			}
			want := fd.Gradient(nil, value, to64(base), &fd.Settings{Formula: fd.Central, Step: step})
			copy(m.params, base)
			loss()
			worst, at := gradError(to64(m.grads), want, 1e-2)
			if worst > 1e-2 {
				t.Errorf("%s (seed %d): ∂L/∂θ[%d] = %v; finite difference %v (error %.1e; %d parameters, the convolutions' from %d)",
					name, seed, at, m.grads[at], want[at], worst, len(m.params), len(m.params)-c.convNumParams())
			}
			t.Logf("%-26s seed %d, worst error %.1e over %d parameters", name, seed, worst, len(m.params))
		}
		if !found {
			t.Errorf("%s: no seed keeps the base point %v from every kink", name, margin)
		}
	}
}

// convFarFromKinks is farFromKinks with the given margin, for the dense
// layers and the convolutions of the last pass in ws.
func convFarFromKinks(m *Model, ws *workspace, y []float32, n int, margin float64) bool {
	cw := ws.conv
	check := func(act actKind, z []float32) bool {
		if act != actReLU && act != actLeakyReLU && act != actELU {
			return true
		}
		for _, v := range z {
			if math.Abs(float64(v)) < margin {
				return false
			}
		}
		return true
	}
	for i, l := range m.layers {
		if !check(l.act, ws.z[i][:n*l.out]) {
			return false
		}
	}
	if m.loss == lossL1 {
		for i, p := range cw.decA[len(m.conv.dec)-1][:len(y)] {
			if math.Abs(float64(p-y[i])) < margin {
				return false
			}
		}
	}
	for i, l := range m.conv.enc {
		if !check(l.act, cw.encZ[i][:n*l.smallSize()]) {
			return false
		}
	}
	for j, l := range m.conv.dec {
		if !check(l.act, cw.decZ[j][:n*l.bigSize()]) {
			return false
		}
	}
	return true
}

// referenceCAE is the convolutional autoencoder of the PyTorch reference
// (../shared/bench/torch_models.py, workload CAE) on MNIST's 1×28×28.
func referenceCAE() Config {
	c := CAEConfig(32)
	c.Seed = 1
	return c
}

// TestConvShapes checks the layer shapes of the reference network and its
// parameter count, which PyTorch reports as 111,521.
func TestConvShapes(t *testing.T) {
	m := mustNew(t, referenceCAE())
	if got := m.NumParams(); got != 111521 {
		t.Errorf("NumParams = %d; PyTorch's CAE has 111521", got)
	}
	var got []string
	for _, l := range m.conv.enc {
		got = append(got, fmt.Sprintf("%d×%d×%d→%d×%d×%d", l.big, l.bigH, l.bigW, l.small, l.smallH, l.smallW))
	}
	for _, l := range m.conv.dec {
		got = append(got, fmt.Sprintf("%d×%d×%d→%d×%d×%d", l.small, l.smallH, l.smallW, l.big, l.bigH, l.bigW))
	}
	want := []string{"1×28×28→16×14×14", "16×14×14→32×7×7", "32×7×7→16×14×14", "16×14×14→1×28×28"}
	if !slices.Equal(got, want) {
		t.Errorf("layers %v; want %v", got, want)
	}
	if m.layers[0].in != 1568 || m.layers[1].out != 1568 || m.layers[1].act != actReLU || m.layers[0].act != actLinear {
		t.Errorf("dense layers %d→%d (%v), %d→%d (%v); want 1568→32 linear, 32→1568 ReLU",
			m.layers[0].in, m.layers[0].out, m.layers[0].act, m.layers[1].in, m.layers[1].out, m.layers[1].act)
	}
	if m.InputDim() != 784 || m.LatentDim() != 32 {
		t.Errorf("InputDim %d, LatentDim %d; want 784, 32", m.InputDim(), m.LatentDim())
	}
}

// TestConvConfigErrors checks that each mistake is refused with an error
// wrapping ErrInvalidConfig that says which layer and why.
func TestConvConfigErrors(t *testing.T) {
	cases := []struct {
		name string
		edit func(c *Config)
		want string
	}{
		{"no image", func(c *Config) { c.Image = ImageShape{} }, "convolutions only apply to images"},
		{"image size", func(c *Config) { c.Image.Height = 27 }, "Image 1×27×28 has 756 values but the input width Sizes[0] is 784"},
		{"even kernel", func(c *Config) { c.Conv[1].Kernel = 4 }, "conv layer 2: kernel = 4; it must be odd"},
		{"zero filters", func(c *Config) { c.Conv[0].Filters = 0 }, "conv layer 1: filters = 0"},
		{"zero stride", func(c *Config) { c.Conv[1].Stride = 0 }, "conv layer 2: stride = 0"},
		{"stride over kernel", func(c *Config) { c.Conv[0].Kernel, c.Conv[0].Stride = 1, 2 }, "conv layer 1: stride = 2"},
		{"too small", func(c *Config) {
			c.Conv = append(c.Conv, ConvLayer{16, 3, 2}, ConvLayer{16, 3, 2}, ConvLayer{16, 3, 2})
		}, "conv layer 5: its 2×2 input is smaller than its 3×3 kernel"},
		{"too many layers", func(c *Config) { c.Conv = make([]ConvLayer, MaxConvLayers+1) }, "Conv has 9 layers"},
		{"too much work", func(c *Config) { c.Conv[0].Filters, c.Conv[0].Stride, c.BatchSize = 512, 1, 4096 }, "the convolutions' buffers"},
	}
	for _, tc := range cases {
		c := referenceCAE()
		c.Conv = slices.Clone(c.Conv)
		tc.edit(&c)
		_, err := New(c)
		if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New = %v; want an ErrInvalidConfig mentioning %q", tc.name, err, tc.want)
		}
	}
}

// TestConvSnapshot checks that a snapshot of a convolutional model encodes,
// decodes and evaluates exactly like the model.
func TestConvSnapshot(t *testing.T) {
	c := convTestConfig(ReLU, Sigmoid, MSE)
	c.BatchSize, c.Optimizer = 8, Optimizer{Kind: Adam, LearningRate: 1e-2}
	m := mustNew(t, c)
	x := uniformData(3, 40, 60, 0, 1)
	for s := 0; s < 5; s++ {
		m.TrainStep(x[:8*60], nil, 8)
	}
	s := m.Snapshot()
	codes, codesS := make([]float32, 40*3), make([]float32, 40*3)
	rec, recS := make([]float32, 40*60), make([]float32, 40*60)
	m.Encode(codes, x, 40)
	s.Encode(codesS, x, 40)
	m.Decode(rec, codes, 40)
	s.Decode(recS, codes, 40)
	if !slices.Equal(codes, codesS) || !slices.Equal(rec, recS) {
		t.Error("the snapshot's codes or decodings differ from the model's")
	}
	m.Reconstruct(rec, x, 40)
	if !slices.Equal(rec, recS) {
		t.Error("Reconstruct differs from Decode(Encode)")
	}
	if a, b := m.EvalLoss(x, nil, 40), s.EvalLoss(x, nil, 40); a != b {
		t.Errorf("EvalLoss: model %v, snapshot %v", a, b)
	}
}

// smallCAE is the reference network's shape on 1×16×16 images (8 and 16
// filters, code 16, batch 32): its products are still large enough to be
// split over two workers (see gemm's minHelperWork), and it is fast under
// the race detector.
func smallCAE() Config {
	c := referenceCAE()
	c.Sizes, c.Image, c.BatchSize = []int{256, 16, 256}, ImageShape{Channels: 1, Height: 16, Width: 16}, 32
	c.Conv = []ConvLayer{{Filters: 8, Kernel: 3, Stride: 2}, {Filters: 16, Kernel: 3, Stride: 2}}
	return c
}

// TestConvZeroAllocs checks that training and evaluating a convolutional
// autoencoder do not allocate, with 1 and 2 workers.
func TestConvZeroAllocs(t *testing.T) {
	for _, workers := range []int{1, 2} {
		c := smallCAE()
		c.Workers = workers
		m := mustNew(t, c)
		x := uniformData(1, 300, 256, 0, 1)
		b := NewBatcher(x, 300, 256, 32, 1)
		step := func() {
			batch, n := b.Next()
			m.TrainStep(batch, nil, n)
		}
		for range 3 { // let lazily grown scratch space settle
			step()
		}
		if a := testing.AllocsPerRun(20, step); a != 0 {
			t.Errorf("workers=%d: Batcher.Next + TrainStep: %v allocations per call", workers, a)
		}
		codes, rec := make([]float32, 300*16), make([]float32, 300*256)
		for op, f := range map[string]func(){
			"EvalLoss":    func() { m.EvalLoss(x, nil, 300) },
			"Encode":      func() { m.Encode(codes, x, 300) },
			"Decode":      func() { m.Decode(rec, codes, 300) },
			"Reconstruct": func() { m.Reconstruct(rec, x, 300) },
		} {
			if a := testing.AllocsPerRun(3, f); a != 0 {
				t.Errorf("workers=%d: %s: %v allocations per call", workers, op, a)
			}
		}
	}
}

// TestConvDeterminism trains a small convolutional autoencoder for 10
// steps with Workers 1, 2 and 0 under GOMAXPROCS 1 and 2 and requires
// bit-identical losses and weights.
func TestConvDeterminism(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	x := factorData(5, 200, 256, 4)
	var refLoss []float64
	var refParams []float32
	for _, r := range []struct{ procs, workers int }{{1, 1}, {2, 2}, {1, 2}, {2, 1}, {2, 0}} {
		runtime.GOMAXPROCS(r.procs)
		c := smallCAE()
		c.Workers = r.workers
		m := mustNew(t, c)
		b := NewBatcher(x, 200, 256, 32, 7)
		var hist []float64
		for s := 0; s < 10; s++ {
			batch, n := b.Next()
			hist = append(hist, m.TrainStep(batch, nil, n))
		}
		hist = append(hist, m.EvalLoss(x, nil, 200))
		if refLoss == nil {
			refLoss, refParams = hist, slices.Clone(m.params)
			if !(hist[9] < hist[0]) {
				t.Fatalf("loss did not decrease (%v → %v): the test would compare untrained models", hist[0], hist[9])
			}
			continue
		}
		if !slices.Equal(hist, refLoss) {
			t.Fatalf("GOMAXPROCS %d, Workers %d: losses %v; %v with GOMAXPROCS 1, Workers 1", r.procs, r.workers, hist, refLoss)
		}
		if !slices.Equal(m.params, refParams) {
			t.Fatalf("GOMAXPROCS %d, Workers %d: weights differ after 10 steps", r.procs, r.workers)
		}
	}
}
