package ae

import (
	"fmt"
	"math"
)

// Loss names the reconstruction loss L(p, y) between the network output p
// and the target y. Every loss is a mean over all n×K elements of the batch,
// like PyTorch's reduction="mean".
type Loss string

// The supported losses.
const (
	// MSE is the mean squared error: mean of (p − y)².
	MSE Loss = "mse"
	// BCE is the binary cross-entropy: mean of −y·log p − (1−y)·log(1−p),
	// for targets in [0, 1]. It requires a Sigmoid output and is computed
	// from the logits z (p = σ(z)), so saturated outputs never give log(0).
	BCE Loss = "bce"
	// L1 is the mean absolute error: mean of |p − y|.
	L1 Loss = "l1"
)

// Losses returns every supported loss, in a stable order.
func Losses() []Loss { return []Loss{MSE, BCE, L1} }

// ParseLoss returns the loss named by s (case and surrounding spaces do not
// matter). An unknown name returns an error wrapping ErrInvalidConfig.
func ParseLoss(s string) (Loss, error) {
	l := Loss(normalizeName(s))
	if _, ok := l.kind(); !ok {
		return "", fmt.Errorf("%w: unknown loss %q (want one of %v)", ErrInvalidConfig, s, Losses())
	}
	return l, nil
}

// lossKind is the compact internal form of a Loss.
type lossKind uint8

const (
	lossMSE lossKind = iota
	lossBCE
	lossL1
)

func (l Loss) kind() (k lossKind, ok bool) {
	switch l {
	case MSE:
		return lossMSE, true
	case BCE:
		return lossBCE, true
	case L1:
		return lossL1, true
	}
	return 0, false
}

// Each loss comes as a pair: the per-element value ℓ and its derivative.
// Values are returned in float64 so the batch sum does not lose precision;
// they are summed in the 16 partial sums of a sum16, the order of the
// vector kernels (see simd.go), so training and evaluation losses agree.

// MSE: ℓ(p, y) = (p − y)², ∂ℓ/∂p = 2(p − y). (The conversion keeps the
// square from being fused with the sum it is added to.)
func mseValue(p, y float32) float64 {
	d := float64(p) - float64(y)
	return float64(d * d)
}
func mseGrad(p, y float32) float32 { return 2 * (p - y) }

// L1: ℓ(p, y) = |p − y|, ∂ℓ/∂p = sign(p − y) (0 at p = y, like PyTorch).
func l1Value(p, y float32) float64 { return math.Abs(float64(p) - float64(y)) }
func l1Grad(p, y float32) float32 {
	switch {
	case p > y:
		return 1
	case p < y:
		return -1
	}
	return 0
}

// BCE, written in terms of the logit z with p = σ(z):
//
//	ℓ = −y·log σ(z) − (1−y)·log(1 − σ(z)) = max(z, 0) − z·y + log(1 + e^−|z|)
//	∂ℓ/∂z = σ(z) − y = p − y
//
// The right-hand form never takes the log of 0 and never overflows, so a
// saturated output (|z| of 100 or more) gives a finite loss and gradient.
// Its gradient is with respect to z: the sigmoid's derivative p(1−p) cancels
// against the 1/(p(1−p)) of ∂ℓ/∂p, which is why BCE is fused with the sigmoid.
// Everything is computed in float64 but e^−|z|, which is expNeg32's
// float32 (within 1 ulp): max(z, 0) − z·y is exact, and the softplus tail
// log(1 + e^−|z|) ∈ (0, log 2] within about one float32 ulp (softplusTail).
func bceValue(z, y float32) float64 {
	zz, yy := float64(z), float64(y)
	return (max(zz, 0) - float64(zz*yy)) + softplusTail(z)
}
func bceGradLogit(p, y float32) float32 { return p - y }

// softplusTail returns log(1 + u) for u = e^−|z| ∈ (0, 1]: with
// s = u/(2 + u) ∈ (0, ⅓], log(1 + u) = 2·atanh(s), whose series
// 2·s·(1 + s²/3 + s⁴/5 + … + s¹²/13) is cut where the rest, below
// 2·s·(s²)⁷/15 (1.4·10⁻⁸ relative), is under the error of u itself. For
// tiny u it is 2·s = u to the last bit. The vector kernel bceAVX512 does the
// same operations, 8 float64 lanes at a time.
func softplusTail(z float32) float64 {
	u := float64(expNeg32(math.Float32frombits(math.Float32bits(z) | 1<<31))) // e^−|z|
	s := u / (2 + u)
	s2 := s * s
	q := float64(lnC13*s2) + lnC11
	q = float64(q*s2) + lnC9
	q = float64(q*s2) + lnC7
	q = float64(q*s2) + lnC5
	q = float64(q*s2) + lnC3
	return 2 * (s + float64(float64(s*s2)*q))
}

// The coefficients 1/(2k+1) of atanh's series.
const (
	lnC3  = 1.0 / 3
	lnC5  = 1.0 / 5
	lnC7  = 1.0 / 7
	lnC9  = 1.0 / 9
	lnC11 = 1.0 / 11
	lnC13 = 1.0 / 13
)

// outputGrad computes the loss of the output layer and its gradient in one
// pass. z are the output logits, p = f(z) the outputs and y the targets (all
// the same length); it writes dz = scale·∂(Σℓ)/∂z, where scale = 1/(n·K)
// makes L the mean over all elements, and returns the unscaled sum Σℓ.
func outputGrad(dz, z, p, y []float32, loss lossKind, out actKind, scale float32) float64 {
	z, p, y = z[:len(dz)], p[:len(dz)], y[:len(dz)]
	var s sum16
	switch {
	case loss == lossBCE:
		// New validates that BCE comes with a Sigmoid output: ∂L/∂z = (p − y)/N.
		for i := bceVec(dz, z, p, y, scale, &s); i < len(dz); i++ {
			s[i%16] += bceValue(z[i], y[i])
			dz[i] = scale * bceGradLogit(p[i], y[i])
		}
	case loss == lossMSE && out == actSigmoid:
		// The common case fused into one pass: ∂L/∂z = 2(p − y)·p(1 − p)/N,
		// the vector kernel doing a prefix.
		for i := mseSigmoidGradVec(dz, p, y, scale, &s); i < len(dz); i++ {
			s[i%16] += mseValue(p[i], y[i])
			dz[i] = scale * mseGrad(p[i], y[i]) * sigmoidBackward(z[i], p[i])
		}
	case loss == lossMSE:
		lossGradRows(&s, dz, p, y, scale, mseValue, mseGrad)
		out.backward(dz, z, p)
	case loss == lossL1:
		lossGradRows(&s, dz, p, y, scale, l1Value, l1Grad)
		out.backward(dz, z, p)
	default:
		panic("ae: unknown loss kind")
	}
	return s.total()
}

// lossGradRows writes d[i] = scale·∂ℓ/∂p(p[i], y[i]) and adds ℓ to s.
func lossGradRows(s *sum16, d, p, y []float32, scale float32, value func(p, y float32) float64, grad func(p, y float32) float32) {
	for i := range d {
		s[i%16] += value(p[i], y[i])
		d[i] = scale * grad(p[i], y[i])
	}
}

// lossSum returns Σℓ over the elements, exactly as outputGrad does, without
// the gradient (for evaluation).
func lossSum(z, p, y []float32, loss lossKind) float64 {
	z, y = z[:len(p)], y[:len(p)]
	var s sum16
	switch loss {
	case lossMSE:
		for i := mseSumVec(p, y, &s); i < len(p); i++ {
			s[i%16] += mseValue(p[i], y[i])
		}
	case lossL1:
		for i := range p {
			s[i%16] += l1Value(p[i], y[i])
		}
	case lossBCE:
		for i := bceVec(nil, z, p, y, 0, &s); i < len(p); i++ {
			s[i%16] += bceValue(z[i], y[i])
		}
	default:
		panic("ae: unknown loss kind")
	}
	return s.total()
}
