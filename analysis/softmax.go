package analysis

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// softmaxObjective is the training objective of LogReg on standardised
// features x (n×d) with labels y:
//
//	L(W, b) = (1/n)·Σᵢ [log Σ_c exp(zᵢc) − zᵢ,yᵢ] + (λ/2)·‖W‖²,  zᵢ = xᵢ·W + b
//
// the mean cross-entropy of the softmax probabilities pᵢc = exp(zᵢc)/Σ exp(zᵢ·)
// plus an L2 penalty on the weights. Its gradient has the famous simple form
//
//	∂L/∂W = (1/n)·xᵀ·(P − Y) + λ·W,   ∂L/∂b = (1/n)·Σᵢ (pᵢ − yᵢ)
//
// with Y the one-hot labels: each example pulls its own class's score up and
// the others down, in proportion to how wrong the probabilities are.
type softmaxObjective struct {
	x       []float64 // n×d standardised features
	y       []int
	n, d, c int
	lambda  float64
	z       []float64 // n×c scratch: logits, then P − Y
}

// newSoftmaxObjective returns the objective for the n examples xs (n×d)
// with labels y in [0, c).
func newSoftmaxObjective(xs []float64, y []int, n, d, c int, lambda float64) *softmaxObjective {
	return &softmaxObjective{x: xs, y: y, n: n, d: d, c: c, lambda: lambda, z: make([]float64, n*c)}
}

// eval returns L at the parameters w ((d+1)×c: the weights W, then the bias
// row b) and, if g is not nil, writes ∂L/∂w to g. It is not safe for
// concurrent use (it reuses o.z).
func (o *softmaxObjective) eval(g, w []float64) float64 {
	n, d, c := o.n, o.d, o.c
	// Forward: logits, then the cross-entropy of each row.
	logits(o.z, o.x, w, n, d, c)
	var loss float64
	for i := 0; i < n; i++ {
		zi := o.z[i*c : (i+1)*c]
		loss += logSumExp(zi) - zi[o.y[i]]
	}
	loss /= float64(n)
	var sq float64
	for _, v := range w[:d*c] {
		sq += v * v
	}
	loss += o.lambda / 2 * sq
	if g == nil {
		return loss
	}
	// Backward: ∂(cross-entropy)/∂z = (P − Y)/n, then through z = x·W + b.
	for i := 0; i < n; i++ {
		zi := o.z[i*c : (i+1)*c]
		softmax(zi)
		zi[o.y[i]]--
	}
	inv := 1 / float64(n)
	blas64.Gemm(blas.Trans, blas.NoTrans, inv,
		blas64.General{Rows: n, Cols: d, Stride: d, Data: o.x},
		blas64.General{Rows: n, Cols: c, Stride: c, Data: o.z},
		0, blas64.General{Rows: d, Cols: c, Stride: c, Data: g[:d*c]})
	for j, v := range w[:d*c] {
		g[j] += o.lambda * v
	}
	gb := g[d*c : (d+1)*c]
	clear(gb)
	for i := 0; i < n; i++ {
		for k, v := range o.z[i*c : (i+1)*c] {
			gb[k] += v * inv
		}
	}
	return loss
}

// logits writes z = x·W + b to dst (n×c) for the n rows of x (n×d) and the
// parameters w ((d+1)×c: W, then the bias row b).
func logits(dst, x, w []float64, n, d, c int) {
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1,
		blas64.General{Rows: n, Cols: d, Stride: d, Data: x[:n*d]},
		blas64.General{Rows: d, Cols: c, Stride: c, Data: w[:d*c]},
		0, blas64.General{Rows: n, Cols: c, Stride: c, Data: dst[:n*c]})
	b := w[d*c : (d+1)*c]
	for i := 0; i < n; i++ {
		for k, v := range b {
			dst[i*c+k] += v
		}
	}
}

// logSumExp returns log Σ exp(zₖ), shifted by the largest zₖ so that no
// exponential overflows.
func logSumExp(z []float64) float64 {
	m := math.Inf(-1)
	for _, v := range z {
		m = max(m, v)
	}
	var s float64
	for _, v := range z {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}

// softmax replaces z by exp(zₖ)/Σ exp(z), computed stably.
func softmax(z []float64) {
	m := math.Inf(-1)
	for _, v := range z {
		m = max(m, v)
	}
	var s float64
	for k, v := range z {
		z[k] = math.Exp(v - m)
		s += z[k]
	}
	for k := range z {
		z[k] /= s
	}
}
