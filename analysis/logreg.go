package analysis

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/optimize"
)

// LogReg is a multinomial logistic-regression (softmax) classifier: it
// scores each class with a linear function of the standardised features and
// predicts the class with the highest score. As a probe of learned features
// it answers "are the classes linearly separable in this space?". A LogReg
// is safe for concurrent use.
type LogReg struct {
	d, classes  int
	mean, scale []float64 // standardisation: x̃ⱼ = (xⱼ − mean[j])·scale[j]
	w           []float64 // (d+1)×classes: row j < d weighs feature j, row d is the bias
	iterations  int
	loss        float64
}

// FitLogReg trains a softmax classifier on the n examples x (n×d, row-major)
// with class labels. Each feature is first standardised to mean 0 and
// variance 1 over the training set (constant features are only centred), so
// pixels, PCA scores and latent codes are treated alike. Training minimises
// the mean cross-entropy plus the L2 penalty (lambda/2)·‖W‖² on the weights
// (not the biases) with L-BFGS (gonum/optimize) from all-zero weights, for at
// most maxIter iterations: the same inputs always give the same model.
//
// It returns an error wrapping ErrInvalidInput if n < 1, a label is
// negative, a value of x is NaN or infinite, lambda is negative or not
// finite, or maxIter < 1; it panics on shape misuse or if d < 1.
func FitLogReg(x []float32, labels []int, n, d int, lambda float64, maxIter int) (*LogReg, error) {
	if d < 1 {
		panicf("FitLogReg: d = %d; want d ≥ 1", d)
	}
	checkLen("FitLogReg", "x", x, n, d)
	checkLen("FitLogReg", "labels", labels, n, 1)
	switch {
	case n < 1:
		return nil, invalidf("logistic regression needs at least one labelled training example")
	case !(lambda >= 0) || math.IsInf(lambda, 1):
		return nil, invalidf("logistic regression: L2 penalty λ = %g; want a finite value ≥ 0 (e.g. 1e-3)", lambda)
	case maxIter < 1:
		return nil, invalidf("logistic regression: %d iterations; want at least 1", maxIter)
	}
	classes, err := numClasses("logistic regression", labels)
	if err != nil {
		return nil, err
	}
	if err := checkFinite("logistic regression", x, d); err != nil {
		return nil, err
	}
	m := &LogReg{d: d, classes: classes, mean: make([]float64, d), scale: make([]float64, d)}
	m.fitScaler(x, n)
	obj := newSoftmaxObjective(m.standardise(nil, x, n), labels, n, d, classes, lambda)
	// L-BFGS asks for the value and then the gradient at the same point:
	// compute both at once and keep them for the second call.
	var lastW, lastG []float64
	var lastF float64
	at := func(w []float64) {
		if lastW == nil || !slices.Equal(w, lastW) {
			lastW, lastG = append(lastW[:0], w...), slices.Grow(lastG[:0], len(w))[:len(w)]
			lastF = obj.eval(lastG, w)
		}
	}
	p := optimize.Problem{
		Func: func(w []float64) float64 { at(w); return lastF },
		Grad: func(g, w []float64) { at(w); copy(g, lastG) },
	}
	settings := &optimize.Settings{
		MajorIterations:   maxIter,
		GradientThreshold: 1e-6,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-10, Relative: 1e-10, Iterations: 10},
	}
	res, err := optimize.Minimize(p, make([]float64, (d+1)*classes), settings, &optimize.LBFGS{})
	if res == nil {
		// Only a malformed problem fails without a result.
		panicf("FitLogReg: %v", err)
	}
	// A line search that cannot improve any further (rounding, near the
	// optimum) ends with an error but leaves the best point found, which is
	// what we want.
	m.w, m.iterations, m.loss = res.X, res.MajorIterations, res.F
	return m, nil
}

// fitScaler sets mean and scale from the n training rows of x.
func (m *LogReg) fitScaler(x []float32, n int) {
	d := m.d
	for i := 0; i < n; i++ {
		for j, v := range x[i*d : (i+1)*d] {
			m.mean[j] += float64(v)
		}
	}
	for j := range m.mean {
		m.mean[j] /= float64(n)
	}
	for i := 0; i < n; i++ {
		for j, v := range x[i*d : (i+1)*d] {
			e := float64(v) - m.mean[j]
			m.scale[j] += e * e
		}
	}
	for j, ss := range m.scale {
		std := math.Sqrt(ss / float64(n))
		m.scale[j] = 1
		// Rounding leaves a tiny spread on a constant feature; scaling it
		// up would turn noise into a feature.
		if std > 1e-6*(1+math.Abs(m.mean[j])) {
			m.scale[j] = 1 / std
		}
	}
}

// standardise returns the n rows of x (n×d) standardised in float64, in dst
// if it is large enough.
func (m *LogReg) standardise(dst []float64, x []float32, n int) []float64 {
	if cap(dst) < n*m.d {
		dst = make([]float64, n*m.d)
	}
	dst = dst[:n*m.d]
	for i := range dst {
		j := i % m.d
		dst[i] = (float64(x[i]) - m.mean[j]) * m.scale[j]
	}
	return dst
}

// Classes returns the number of classes, 1 + the largest training label.
func (m *LogReg) Classes() int { return m.classes }

// Iterations returns the number of L-BFGS iterations training took.
func (m *LogReg) Iterations() int { return m.iterations }

// Loss returns the final training objective: the mean cross-entropy plus the
// L2 penalty.
func (m *LogReg) Loss() float64 { return m.loss }

// Probabilities writes to dst (n×Classes) the predicted probability of each
// class for each of the n rows of x (n×d). It panics on shape misuse.
func (m *LogReg) Probabilities(dst []float64, x []float32, n int) {
	checkLen("LogReg.Probabilities", "x", x, n, m.d)
	checkLen("LogReg.Probabilities", "dst", dst, n, m.classes)
	rows := min(distBlock, n)
	xs := make([]float64, rows*m.d)
	for r := 0; r < n; r += rows {
		b := min(rows, n-r)
		xs = m.standardise(xs, x[r*m.d:(r+b)*m.d], b)
		out := dst[r*m.classes : (r+b)*m.classes]
		logits(out, xs, m.w, b, m.d, m.classes)
		for i := 0; i < b; i++ {
			softmax(out[i*m.classes : (i+1)*m.classes])
		}
	}
}

// Predict writes to dst (length n) the most probable class of each of the n
// rows of x (n×d); ties go to the smaller class index. It panics on shape
// misuse.
func (m *LogReg) Predict(dst []int, x []float32, n int) {
	checkLen("LogReg.Predict", "dst", dst, n, 1)
	p := make([]float64, n*m.classes)
	m.Probabilities(p, x, n)
	for i := range dst {
		row := p[i*m.classes : (i+1)*m.classes]
		best := 0
		for c, v := range row {
			if v > row[best] {
				best = c
			}
		}
		dst[i] = best
	}
}
