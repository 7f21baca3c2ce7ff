package ae

import (
	"fmt"
	"runtime"
	"slices"
)

// ClassifierConfig describes a classifier: a dense network from K inputs
// through hidden layers to C class scores (logits), trained with the softmax
// cross-entropy. It is how the pretraining lab asks whether an encoder
// learned without labels is a good start for learning with few labels.
type ClassifierConfig struct {
	// Sizes are the layer widths from input to output: [K, h1, …, C]. The
	// last is the number of classes C ≥ 2; with no hidden width the
	// network is multinomial logistic regression.
	Sizes []int
	// Hidden is the activation of every hidden layer (but CodeLayer, if
	// CodeActivation is set). The output layer is linear: its values are
	// the logits the softmax turns into probabilities.
	Hidden Activation
	// CodeActivation, when set, is the activation of hidden layer CodeLayer
	// alone (the index in Sizes of its width): how a classifier built on an
	// encoder with its own code activation (Config.Latent) reproduces it.
	// "" means Hidden.
	CodeActivation Activation
	CodeLayer      int
	// Optimizer is the update rule and its hyper-parameters.
	Optimizer Optimizer
	// BatchSize is the largest batch TrainStep accepts.
	BatchSize int
	// Seed seeds the PCG the initial weights come from.
	Seed uint64
	// ZeroOutput starts the output layer at zero instead of random weights:
	// every class then starts equally likely (the loss is exactly log C)
	// and the first gradients reach the hidden layers only once the output
	// layer has learned something. This is the usual way to put a new head
	// on pretrained layers: a random head on codes of large magnitude gives
	// huge initial logits whose gradients scramble the pretrained features
	// before the head has learned anything.
	ZeroOutput bool
	// Workers is the number of goroutines used for matrix products;
	// 0 means runtime.GOMAXPROCS(0). Results never depend on it.
	Workers int
}

// Validate reports the first user mistake in c, as an error wrapping
// ErrInvalidConfig.
func (c ClassifierConfig) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: classifier: "+format, append([]any{ErrInvalidConfig}, args...)...)
	}
	if len(c.Sizes) < 2 {
		return bad("Sizes has %d layer widths; need at least 2 (inputs, classes)", len(c.Sizes))
	}
	if len(c.Sizes)-1 > MaxLayers {
		return bad("Sizes describes %d layers; the limit is %d", len(c.Sizes)-1, MaxLayers)
	}
	work := 0
	for i, s := range c.Sizes {
		if s < 1 || s > MaxWidth {
			return bad("Sizes[%d] = %d; every layer width must be between 1 and %d", i, s, MaxWidth)
		}
		work += s
	}
	if classes := c.Sizes[len(c.Sizes)-1]; classes < 2 {
		return bad("%d class; a classifier needs at least 2", classes)
	}
	if _, ok := c.Hidden.kind(); !ok {
		return bad("unknown Hidden activation %q (want one of %v)", c.Hidden, Activations())
	}
	if c.CodeActivation != "" {
		if _, ok := c.CodeActivation.kind(); !ok {
			return bad("unknown CodeActivation %q (want one of %v)", c.CodeActivation, Activations())
		}
		if c.CodeLayer < 1 || c.CodeLayer > len(c.Sizes)-2 {
			return bad("CodeLayer = %d; it must index a hidden layer of Sizes, between 1 and %d", c.CodeLayer, len(c.Sizes)-2)
		}
	}
	if err := c.Optimizer.validate(); err != nil {
		return err
	}
	if c.BatchSize < 1 || c.BatchSize > MaxBatchSize {
		return bad("BatchSize = %d; it must be between 1 and %d", c.BatchSize, MaxBatchSize)
	}
	if c.Workers < 0 {
		return bad("Workers = %d; use 0 for one per CPU, or a positive count", c.Workers)
	}
	if p := c.NumParams(); p > MaxParams {
		return bad("the network has %d parameters; the limit is %d", p, MaxParams)
	}
	if w := c.BatchSize * work; w > MaxBatchWork {
		return bad("BatchSize × Σ Sizes = %d; the limit is %d", w, MaxBatchWork)
	}
	return nil
}

// NumParams returns the number of weights and biases, Σ (in + 1)·out.
func (c ClassifierConfig) NumParams() int { return Config{Sizes: c.Sizes}.NumParams() }

// layerConfig is the Config that bindLayers and initParams read: the
// hidden activation everywhere (the code activation at CodeLayer), a linear
// output layer for the logits.
func (c ClassifierConfig) layerConfig() Config {
	lc := Config{Sizes: c.Sizes, Hidden: c.Hidden, Output: Linear}
	if c.CodeActivation != "" {
		lc.Bottleneck, lc.Latent = c.CodeLayer, c.CodeActivation
	}
	return lc
}

// activationAt returns the activation of hidden layer i (the index in
// Sizes of its width).
func (c ClassifierConfig) activationAt(i int) Activation {
	if c.CodeActivation != "" && i == c.CodeLayer {
		return c.CodeActivation
	}
	return c.Hidden
}

// Classifier is a dense network with a softmax cross-entropy head, its
// optimizer state and its buffers. Like Model it belongs to one goroutine.
type Classifier struct {
	cfg    ClassifierConfig
	layers []dense
	params []float32 // W0, b0, W1, b1, … as in Model
	grads  []float32
	opt    updater
	lr     float64
	train  *workspace
	eval   *workspace
	steps  int
}

// NewClassifier validates c and returns a classifier with freshly
// initialised weights drawn from a PCG seeded by c.Seed (He or Glorot, as
// for autoencoders; see initParams): equal configs give equal classifiers.
func NewClassifier(c ClassifierConfig) (*Classifier, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c.Sizes = slices.Clone(c.Sizes)
	c.Optimizer = c.Optimizer.WithDefaults()
	np := c.NumParams()
	cl := &Classifier{cfg: c, layers: make([]dense, len(c.Sizes)-1), params: make([]float32, np),
		grads: make([]float32, np), opt: newUpdater(c.Optimizer, np), lr: c.Optimizer.LearningRate}
	bindLayers(cl.layers, cl.params, cl.grads, c.layerConfig())
	initParams(cl.layers, newRand(c.Seed))
	if c.ZeroOutput {
		clear(cl.layers[len(cl.layers)-1].w)
	}
	cl.train = newWorkspace(cl.layers, c.BatchSize, true, 0)
	cl.eval = cl.train
	if c.BatchSize < evalRows {
		cl.eval = newWorkspace(cl.layers, evalRows, false, 0)
	}
	return cl, nil
}

// TrainStep trains on one batch: the n rows of x (n×K, 1 ≤ n ≤ BatchSize)
// with their classes labels (n values in [0, C)) are pushed forward, the
// mean softmax cross-entropy is back-propagated and the optimizer updates
// every parameter. It returns the mean loss of the batch before the update.
// It does not allocate, and panics on shape misuse or a label out of range.
func (cl *Classifier) TrainStep(x []float32, labels []int, n int) float64 {
	if n < 1 || n > cl.cfg.BatchSize {
		panicf("Classifier.TrainStep: n = %d rows; want 1 ≤ n ≤ BatchSize = %d", n, cl.cfg.BatchSize)
	}
	checkLen("Classifier.TrainStep", "x", x, n, cl.InputDim())
	cl.checkLabels("TrainStep", labels, n)
	ws, w, last := cl.train, cl.workers(), len(cl.layers)-1
	c := cl.Classes()
	z := cl.forward(ws, x, n, w)
	sum := softmaxCEGrad(ws.d[last][:n*c], z, labels, c, float32(1/float64(n)))
	cl.backward(ws, x, n, w)
	cl.opt.update(cl.params, cl.grads, cl.lr)
	cl.steps++
	return sum / float64(n)
}

// forward pushes the n rows of x through every layer with the buffers of
// ws and returns the logits (n×C).
func (cl *Classifier) forward(ws *workspace, x []float32, n, workers int) []float32 {
	for i := range cl.layers {
		l := &cl.layers[i]
		l.forward(ws.z[i], ws.a[i], x, n, workers)
		x = ws.a[i][:n*l.out]
	}
	return x
}

// backward back-propagates ws.d[last] = ∂L/∂logits down to the input,
// filling cl.grads, exactly as Model.backward does.
func (cl *Classifier) backward(ws *workspace, x []float32, n, workers int) {
	for i := len(cl.layers) - 1; i > 0; i-- {
		prev := &cl.layers[i-1]
		k := n * prev.out
		cl.layers[i].backward(ws.d[i-1], ws.d[i], ws.a[i-1][:k], n, workers)
		prev.act.backward(ws.d[i-1][:k], ws.z[i-1][:k], ws.a[i-1][:k])
	}
	cl.layers[0].backward(nil, ws.d[0], x, n, workers)
}

// Logits writes the class scores of the n rows of x (n×K) to dst (n×C).
// It panics on shape misuse.
func (cl *Classifier) Logits(dst, x []float32, n int) {
	checkLen("Classifier.Logits", "x", x, n, cl.InputDim())
	checkLen("Classifier.Logits", "dst", dst, n, cl.Classes())
	c := cl.Classes()
	cl.chunks(x, n, func(r, rows int, z []float32) { copy(dst[r*c:(r+rows)*c], z) })
}

// Predict writes the most probable class of each of the n rows of x (n×K)
// to dst (length n); ties go to the smaller class. It does not allocate and
// panics on shape misuse.
func (cl *Classifier) Predict(dst []int, x []float32, n int) {
	checkLen("Classifier.Predict", "x", x, n, cl.InputDim())
	checkLenInts("Classifier.Predict", "dst", dst, n)
	c := cl.Classes()
	cl.chunks(x, n, func(r, rows int, z []float32) {
		for i := range rows {
			dst[r+i] = argmax(z[i*c : (i+1)*c])
		}
	})
}

// Accuracy returns the fraction of the n rows of x (n×K) whose predicted
// class is their label (n values in [0, C)). It does not allocate and panics
// on shape misuse, on a label out of range or if n < 1.
func (cl *Classifier) Accuracy(x []float32, labels []int, n int) float64 {
	if n < 1 {
		panicf("Classifier.Accuracy: n = %d; want n ≥ 1", n)
	}
	checkLen("Classifier.Accuracy", "x", x, n, cl.InputDim())
	cl.checkLabels("Accuracy", labels, n)
	c, right := cl.Classes(), 0
	cl.chunks(x, n, func(r, rows int, z []float32) {
		for i := range rows {
			if argmax(z[i*c:(i+1)*c]) == labels[r+i] {
				right++
			}
		}
	})
	return float64(right) / float64(n)
}

// EvalLoss returns the mean softmax cross-entropy of the n ≥ 1 rows of x
// (n×K) against their labels, without training. It does not allocate.
func (cl *Classifier) EvalLoss(x []float32, labels []int, n int) float64 {
	if n < 1 {
		panicf("Classifier.EvalLoss: n = %d; want n ≥ 1", n)
	}
	checkLen("Classifier.EvalLoss", "x", x, n, cl.InputDim())
	cl.checkLabels("EvalLoss", labels, n)
	c := cl.Classes()
	var sum float64
	cl.chunks(x, n, func(r, rows int, z []float32) { sum += softmaxCE(z, labels[r:r+rows], c) })
	return sum / float64(n)
}

// chunks runs the n rows of x forward through the evaluation buffers a
// chunk at a time and calls f with the first row, the chunk's row count
// and its logits.
func (cl *Classifier) chunks(x []float32, n int, f func(r, rows int, z []float32)) {
	ws, w, k := cl.eval, cl.workers(), cl.InputDim()
	for r := 0; r < n; r += ws.rows {
		rows := min(ws.rows, n-r)
		f(r, rows, cl.forward(ws, x[r*k:(r+rows)*k], rows, w))
	}
}

// checkLabels panics unless labels holds n classes in [0, C).
func (cl *Classifier) checkLabels(op string, labels []int, n int) {
	if len(labels) != n {
		panicf("Classifier.%s: len(labels) = %d; want n = %d", op, len(labels), n)
	}
	c := cl.Classes()
	for i, y := range labels {
		if y < 0 || y >= c {
			panicf("Classifier.%s: labels[%d] = %d; want a class in [0, %d)", op, i, y, c)
		}
	}
}

func checkLenInts(op, name string, s []int, n int) {
	if len(s) != n {
		panicf("%s: len(%s) = %d; want n = %d", op, name, len(s), n)
	}
}

func (cl *Classifier) workers() int {
	if cl.cfg.Workers > 0 {
		return cl.cfg.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// InputDim returns K, the number of input features.
func (cl *Classifier) InputDim() int { return cl.cfg.Sizes[0] }

// Classes returns C, the number of classes.
func (cl *Classifier) Classes() int { return cl.cfg.Sizes[len(cl.cfg.Sizes)-1] }

// NumParams returns the number of trainable parameters.
func (cl *Classifier) NumParams() int { return len(cl.params) }

// Steps returns the number of TrainStep calls so far.
func (cl *Classifier) Steps() int { return cl.steps }

// Config returns the classifier's configuration with the optimizer
// defaults filled in.
func (cl *Classifier) Config() ClassifierConfig {
	c := cl.cfg
	c.Sizes = slices.Clone(c.Sizes)
	return c
}
