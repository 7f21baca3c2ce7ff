package ae

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
)

func smallClassifierConfig() ClassifierConfig {
	return ClassifierConfig{Sizes: []int{5, 6, 4, 3}, Hidden: Tanh,
		Optimizer: Optimizer{Kind: Adam, LearningRate: 1e-2}, BatchSize: 8, Seed: 1, Workers: 1}
}

func mustClassifier(t testing.TB, c ClassifierConfig) *Classifier {
	t.Helper()
	cl, err := NewClassifier(c)
	if err != nil {
		t.Fatalf("NewClassifier: %v", err)
	}
	return cl
}

// blobs returns n points in d dimensions from c well-separated Gaussian
// clusters (centres 6 apart on the axes, unit spread), with their labels.
func blobs(seed uint64, n, d, c int) ([]float32, []int) {
	rng := rand.New(rand.NewPCG(seed, 9))
	x, y := make([]float32, n*d), make([]int, n)
	for i := range n {
		y[i] = rng.IntN(c)
		for j := range d {
			v := rng.NormFloat64()
			if j == y[i]%d {
				v += 6 * float64(1+y[i]/d)
			}
			x[i*d+j] = float32(v)
		}
	}
	return x, y
}

// TestSoftmaxCEHeadGradient compares the head's gradient ∂ℓ/∂z with central
// finite differences of its loss, on ordinary and on extreme logits (where a
// naive log(softmax) would give Inf or NaN).
func TestSoftmaxCEHeadGradient(t *testing.T) {
	const n, c = 4, 5
	labels := []int{0, 3, 4, 2}
	for name, spread := range map[string]float64{"ordinary": 2, "extreme": 200} {
		z := uniformData(7, n, c, -spread, spread)
		value := func(p []float64) float64 {
			zz := make([]float32, len(p))
			for i, v := range p {
				zz[i] = float32(v)
			}
			return softmaxCE(zz, labels, c) / n
		}
		step := 1e-2 * spread / 2
		want := fd.Gradient(nil, value, to64(z), &fd.Settings{Formula: fd.Central, Step: step})
		dz := make([]float32, n*c)
		loss := softmaxCEGrad(dz, z, labels, c, 1.0/n)
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			t.Fatalf("%s: loss %v is not finite", name, loss)
		}
		if got := value(to64(z)); math.Abs(loss/n-got) > 1e-12*max(1, got) {
			t.Errorf("%s: softmaxCEGrad loss %v ≠ softmaxCE %v", name, loss/n, got)
		}
		worst, at := gradError(to64(dz), want, 1e-3)
		t.Logf("%s logits: worst gradient error %.1e", name, worst)
		if worst > 1e-3 {
			t.Errorf("%s: ∂ℓ/∂z[%d] = %v; finite difference %v (error %.1e)", name, at, dz[at], want[at], worst)
		}
	}
	// Known answer: equal logits give p = 1/c and ℓ = log c.
	z := make([]float32, c)
	if got := softmaxCE(z, []int{2}, c); math.Abs(got-math.Log(c)) > 1e-12 {
		t.Errorf("equal logits: ℓ = %v, want log %d = %v", got, c, math.Log(c))
	}
}

// TestClassifierNetworkGradient checks the back-propagated gradient of every
// weight and bias of a small classifier against finite differences of the
// mean cross-entropy.
func TestClassifierNetworkGradient(t *testing.T) {
	for _, hidden := range []Activation{Tanh, Sigmoid, Linear, ELU} {
		c := smallClassifierConfig()
		c.Hidden, c.BatchSize = hidden, 4
		cl := mustClassifier(t, c)
		for _, l := range cl.layers {
			copy(l.b, uniformData(11, 1, l.out, -0.5, 0.5))
		}
		x := uniformData(3, 4, 5, -1, 1)
		labels := []int{2, 0, 1, 2}
		base := slices.Clone(cl.params)
		value := func(p []float64) float64 {
			for i, v := range p {
				cl.params[i] = float32(v)
			}
			return cl.EvalLoss(x, labels, 4)
		}
		want := fd.Gradient(nil, value, to64(base), &fd.Settings{Formula: fd.Central, Step: gradStep})
		copy(cl.params, base)
		ws := cl.train
		z := cl.forward(ws, x, 4, 1)
		last := len(cl.layers) - 1
		softmaxCEGrad(ws.d[last][:4*3], z, labels, 3, 1.0/4)
		cl.backward(ws, x, 4, 1)
		worst, at := gradError(to64(cl.grads), want, 1e-2)
		t.Logf("%s: worst gradient error %.1e", hidden, worst)
		if worst > 1e-2 {
			t.Errorf("%s: ∂L/∂θ[%d] = %v; finite difference %v (error %.1e)", hidden, at, cl.grads[at], want[at], worst)
		}
	}
}

// TestClassifierLearnsSeparableBlobs trains on three well-separated clusters:
// accuracy on fresh points from the same clusters must end near 1, from
// about chance before training.
func TestClassifierLearnsSeparableBlobs(t *testing.T) {
	const n, d, classes = 600, 4, 3
	x, y := blobs(1, n, d, classes)
	tx, ty := blobs(2, 300, d, classes)
	cl := mustClassifier(t, ClassifierConfig{Sizes: []int{d, 16, classes}, Hidden: ReLU,
		Optimizer: Optimizer{Kind: Adam, LearningRate: 1e-2}, BatchSize: 32, Seed: 3, Workers: 1})
	before := cl.EvalLoss(tx, ty, 300)
	b := NewBatcher(x, n, d, 32, 5)
	labels := make([]int, 32)
	for b.Epoch() < 20 {
		batch, rows := b.Next()
		for i, r := range b.Rows() {
			labels[i] = y[r]
		}
		cl.TrainStep(batch, labels[:rows], rows)
	}
	acc, after := cl.Accuracy(tx, ty, 300), cl.EvalLoss(tx, ty, 300)
	t.Logf("test cross-entropy %.3f → %.3f, accuracy %.3f", before, after, acc)
	if acc < 0.97 || after > before/4 {
		t.Fatalf("accuracy %.3f, loss %.3f → %.3f: the classifier did not learn separable clusters", acc, before, after)
	}
	pred := make([]int, 300)
	cl.Predict(pred, tx, 300)
	right := 0
	for i, p := range pred {
		if p == ty[i] {
			right++
		}
	}
	if got := float64(right) / 300; got != acc {
		t.Errorf("Predict gives accuracy %v, Accuracy %v", got, acc)
	}
}

// TestClassifierDeterministic: the same config and the same batches give
// the same weights, bit for bit, whatever the number of workers.
func TestClassifierDeterministic(t *testing.T) {
	x, y := blobs(4, 64, 5, 3)
	run := func(workers int) []float32 {
		c := smallClassifierConfig()
		c.Workers = workers
		cl := mustClassifier(t, c)
		for s := range 20 {
			r := (s * 8) % 64
			cl.TrainStep(x[r*5:(r+8)*5], y[r:r+8], 8)
		}
		return slices.Clone(cl.params)
	}
	a, b := run(1), run(2)
	if !slices.Equal(a, b) {
		t.Fatal("two runs with the same seed and data differ")
	}
	c := smallClassifierConfig()
	c.Seed = 2
	if slices.Equal(mustClassifier(t, c).params, mustClassifier(t, smallClassifierConfig()).params) {
		t.Fatal("different seeds give the same initial weights")
	}
}

// TestClassifierFromEncoderCopiesWeights: the encoder layers are copied
// exactly, the head equals the random classifier's, and training the copy
// leaves the snapshot alone.
func TestClassifierFromEncoderCopiesWeights(t *testing.T) {
	m := mustNew(t, Config{Sizes: []int{6, 5, 3, 5, 6}, Bottleneck: 2, Hidden: ReLU, Output: Sigmoid, Loss: MSE,
		Optimizer: Optimizer{Kind: Adam, LearningRate: 1e-2}, BatchSize: 8, Seed: 9, Workers: 1})
	x := uniformData(1, 8, 6, 0, 1)
	for range 5 {
		m.TrainStep(x, nil, 8)
	}
	s := m.Snapshot()
	if got := s.EncoderSizes(); !slices.Equal(got, []int{6, 5, 3}) {
		t.Fatalf("EncoderSizes = %v", got)
	}
	c := ClassifierConfig{Sizes: []int{6, 5, 3, 4}, Hidden: ReLU,
		Optimizer: Optimizer{Kind: Adam, LearningRate: 1e-2}, BatchSize: 8, Seed: 2, Workers: 1}
	pre, err := NewClassifierFromEncoder(c, s)
	if err != nil {
		t.Fatal(err)
	}
	scratch := mustClassifier(t, c)
	enc := (6+1)*5 + (5+1)*3
	if !slices.Equal(pre.params[:enc], m.params[:enc]) {
		t.Fatal("the encoder's weights and biases were not copied exactly")
	}
	if !slices.Equal(pre.params[enc:], scratch.params[enc:]) {
		t.Fatal("the head differs from the randomly initialised classifier's")
	}
	if slices.Equal(pre.params[:enc], scratch.params[:enc]) {
		t.Fatal("the pretrained classifier starts like the random one")
	}
	// Same codes: the copied layers compute the encoder.
	codes := make([]float32, 8*3)
	s.Encode(codes, x, 8)
	ws := pre.eval
	pre.forward(ws, x, 8, 1)
	if !slices.Equal(ws.a[1][:8*3], codes) {
		t.Fatal("the copied layers do not reproduce the encoder's codes")
	}
	before := slices.Clone(s.params)
	pre.TrainStep(x, []int{0, 1, 2, 3, 0, 1, 2, 3}, 8)
	if !slices.Equal(before, s.params) {
		t.Fatal("training the classifier changed the snapshot")
	}

	for _, bad := range []ClassifierConfig{
		{Sizes: []int{6, 5, 3}, Hidden: ReLU, Optimizer: c.Optimizer, BatchSize: 8}, // no head
		{Sizes: []int{6, 4, 3, 4}, Hidden: ReLU, Optimizer: c.Optimizer, BatchSize: 8},
		{Sizes: []int{6, 5, 3, 4}, Hidden: Tanh, Optimizer: c.Optimizer, BatchSize: 8},
	} {
		if _, err := NewClassifierFromEncoder(bad, s); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("NewClassifierFromEncoder(%v, %s): err = %v; want ErrInvalidConfig", bad.Sizes, bad.Hidden, err)
		}
	}
}

func TestClassifierConfigValidate(t *testing.T) {
	ok := smallClassifierConfig()
	cases := map[string]func(c *ClassifierConfig){
		"one size":    func(c *ClassifierConfig) { c.Sizes = []int{5} },
		"one class":   func(c *ClassifierConfig) { c.Sizes = []int{5, 1} },
		"zero width":  func(c *ClassifierConfig) { c.Sizes = []int{5, 0, 3} },
		"activation":  func(c *ClassifierConfig) { c.Hidden = "swish" },
		"batch":       func(c *ClassifierConfig) { c.BatchSize = 0 },
		"optimizer":   func(c *ClassifierConfig) { c.Optimizer.LearningRate = -1 },
		"workers":     func(c *ClassifierConfig) { c.Workers = -1 },
		"huge params": func(c *ClassifierConfig) { c.Sizes = []int{1 << 14, 1 << 14, 3} },
	}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	for name, mod := range cases {
		c := smallClassifierConfig()
		mod(&c)
		if err := c.Validate(); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: err = %v; want ErrInvalidConfig", name, err)
		}
	}
	cl := mustClassifier(t, ok)
	mustPanic(t, "want a class in [0, 3)", func() { cl.TrainStep(make([]float32, 5), []int{3}, 1) })
	mustPanic(t, "BatchSize", func() { cl.TrainStep(make([]float32, 9*5), make([]int, 9), 9) })
	mustPanic(t, "len(labels)", func() { cl.Accuracy(make([]float32, 10), []int{1}, 2) })
}

// TestClassifierZeroAllocs: training steps and evaluation do not allocate.
func TestClassifierZeroAllocs(t *testing.T) {
	for _, workers := range []int{1, 2} {
		c := ClassifierConfig{Sizes: []int{64, 32, 10}, Hidden: ReLU, Optimizer: Optimizer{Kind: Adam, LearningRate: 1e-3},
			BatchSize: 16, Seed: 1, Workers: workers}
		cl := mustClassifier(t, c)
		x := uniformData(1, 300, 64, 0, 1)
		y := make([]int, 300)
		for i := range y {
			y[i] = i % 10
		}
		b := NewBatcher(x, 300, 64, 16, 1)
		labels := make([]int, 16)
		if a := testing.AllocsPerRun(50, func() {
			batch, n := b.Next()
			for i, r := range b.Rows() {
				labels[i] = y[r]
			}
			cl.TrainStep(batch, labels[:n], n)
		}); a != 0 {
			t.Errorf("workers=%d: Batcher.Next + Rows + TrainStep: %v allocations per call", workers, a)
		}
		pred := make([]int, 300)
		for name, f := range map[string]func(){
			"Accuracy": func() { cl.Accuracy(x, y, 300) },
			"EvalLoss": func() { cl.EvalLoss(x, y, 300) },
			"Predict":  func() { cl.Predict(pred, x, 300) },
		} {
			if a := testing.AllocsPerRun(10, f); a != 0 {
				t.Errorf("workers=%d: %s: %v allocations per call", workers, name, a)
			}
		}
	}
}

// TestBatcherRows: Rows names the rows of each batch, every row once an
// epoch, including the short last batch and with NewBatcherRows.
func TestBatcherRows(t *testing.T) {
	const rows, cols = 10, 2
	x := make([]float32, rows*cols)
	for i := range x {
		x[i] = float32(i / cols) // row i holds the value i
	}
	if r := NewBatcher(x, rows, cols, 4, 1).Rows(); r != nil {
		t.Fatalf("Rows before Next = %v; want nil", r)
	}
	for _, b := range []*Batcher{NewBatcher(x, rows, cols, 4, 1), NewBatcherRows(x, cols, []int{1, 3, 5, 7, 9}, 4, 1)} {
		for epoch := range 2 {
			seen := map[int]int{}
			for b.Epoch() == epoch {
				batch, n := b.Next()
				r := b.Rows()
				if len(r) != n {
					t.Fatalf("Rows has %d entries for a batch of %d", len(r), n)
				}
				for i, row := range r {
					if batch[i*cols] != float32(row) {
						t.Fatalf("batch row %d holds row %v, Rows says %d", i, batch[i*cols], row)
					}
					seen[row]++
				}
			}
			for row, k := range seen {
				if k != 1 {
					t.Fatalf("epoch %d visited row %d %d times", epoch, row, k)
				}
			}
			if len(seen) != b.rows {
				t.Fatalf("epoch %d visited %d rows of %d", epoch, len(seen), b.rows)
			}
		}
	}
}

// TestClassifierZeroOutput: a zero output layer predicts every class with
// probability 1/C (loss log C) and still learns.
func TestClassifierZeroOutput(t *testing.T) {
	x, y := blobs(6, 96, 4, 3)
	c := ClassifierConfig{Sizes: []int{4, 8, 3}, Hidden: ReLU, Optimizer: Optimizer{Kind: Adam, LearningRate: 1e-2},
		BatchSize: 32, Seed: 1, Workers: 1, ZeroOutput: true}
	cl := mustClassifier(t, c)
	random := c
	random.ZeroOutput = false
	r := mustClassifier(t, random)
	hidden := (4 + 1) * 8
	if !slices.Equal(cl.params[:hidden], r.params[:hidden]) {
		t.Fatal("ZeroOutput changed the hidden layers")
	}
	for _, v := range cl.params[hidden:] {
		if v != 0 {
			t.Fatal("the output layer does not start at zero")
		}
	}
	if got := cl.EvalLoss(x, y, 96); math.Abs(got-math.Log(3)) > 1e-6 {
		t.Fatalf("initial loss %v; want log 3 = %v", got, math.Log(3))
	}
	for s := range 60 {
		r := s % 3 * 32
		cl.TrainStep(x[r*4:(r+32)*4], y[r:r+32], 32)
	}
	if acc := cl.Accuracy(x, y, 96); acc < 0.95 {
		t.Fatalf("accuracy %.2f after training from a zero output layer", acc)
	}
}

// TestClassifierFromEncoderWithCodeActivation: an autoencoder whose code
// layer has its own activation (Config.Latent) gives a classifier that
// computes the same codes; a configuration that ignores it is refused.
func TestClassifierFromEncoderWithCodeActivation(t *testing.T) {
	m := mustNew(t, Config{Sizes: []int{6, 5, 2, 5, 6}, Bottleneck: 2, Hidden: ReLU, Latent: Linear, Output: Sigmoid,
		Loss: MSE, Optimizer: Optimizer{Kind: Adam, LearningRate: 1e-2}, BatchSize: 8, Seed: 4, Workers: 1})
	s := m.Snapshot()
	c := ClassifierConfigFor(s, 3)
	if !slices.Equal(c.Sizes, []int{6, 5, 2, 3}) || c.Hidden != ReLU || c.CodeActivation != Linear || c.CodeLayer != 2 {
		t.Fatalf("ClassifierConfigFor = %+v", c)
	}
	c.Optimizer, c.BatchSize, c.Workers = Optimizer{Kind: Adam, LearningRate: 1e-2}, 8, 1
	pre, err := NewClassifierFromEncoder(c, s)
	if err != nil {
		t.Fatal(err)
	}
	x := uniformData(2, 8, 6, 0, 1)
	codes := make([]float32, 8*2)
	s.Encode(codes, x, 8)
	pre.forward(pre.eval, x, 8, 1)
	if !slices.Equal(pre.eval.a[1][:8*2], codes) {
		t.Fatal("the copied layers do not reproduce the encoder's linear codes")
	}
	negative := false
	for _, v := range codes {
		negative = negative || v < 0
	}
	if !negative {
		t.Fatal("no negative code: the test cannot tell a linear code layer from a ReLU one")
	}
	c.CodeActivation = ""
	if _, err := NewClassifierFromEncoder(c, s); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("a ReLU code layer on a linear-code encoder: err = %v; want ErrInvalidConfig", err)
	}
	c.CodeActivation, c.CodeLayer = Tanh, 3
	if err := c.Validate(); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("CodeLayer on the output layer: err = %v; want ErrInvalidConfig", err)
	}
}
