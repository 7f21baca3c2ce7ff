package ae

import (
	"fmt"
	"math"
	"strings"
)

// Activation names the elementwise nonlinearity f applied after a dense
// layer: a = f(z) with z = x·W + b.
type Activation string

// The supported activations.
const (
	Linear    Activation = "linear"     // f(z) = z
	ReLU      Activation = "relu"       // f(z) = max(0, z)
	LeakyReLU Activation = "leaky_relu" // f(z) = z if z > 0, else 0.01·z
	ELU       Activation = "elu"        // f(z) = z if z > 0, else e^z − 1 (α = 1)
	Tanh      Activation = "tanh"       // f(z) = tanh(z)
	Sigmoid   Activation = "sigmoid"    // f(z) = 1 / (1 + e^−z)
)

// Activations returns every supported activation, in a stable order
// suitable for a drop-down list.
func Activations() []Activation {
	return []Activation{Linear, ReLU, LeakyReLU, ELU, Tanh, Sigmoid}
}

// ParseActivation returns the activation named by s. Case, surrounding
// spaces and '-' versus '_' do not matter ("Leaky-ReLU" is LeakyReLU).
// An unknown name returns an error wrapping ErrInvalidConfig.
func ParseActivation(s string) (Activation, error) {
	a := Activation(normalizeName(s))
	if _, ok := a.kind(); !ok {
		return "", fmt.Errorf("%w: unknown activation %q (want one of %v)", ErrInvalidConfig, s, Activations())
	}
	return a, nil
}

// normalizeName lower-cases s, trims it and maps '-' and ' ' to '_'.
func normalizeName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.NewReplacer("-", "_", " ", "_").Replace(s)
}

// leakySlope is LeakyReLU's slope for negative inputs (PyTorch's default).
const leakySlope = 0.01

// actKind is the compact internal form of an Activation, so the hot loops
// switch on a byte instead of comparing strings.
type actKind uint8

const (
	actLinear actKind = iota
	actReLU
	actLeakyReLU
	actELU
	actTanh
	actSigmoid
)

// kind maps a to its internal form; ok is false for unknown names.
func (a Activation) kind() (k actKind, ok bool) {
	switch a {
	case Linear:
		return actLinear, true
	case ReLU:
		return actReLU, true
	case LeakyReLU:
		return actLeakyReLU, true
	case ELU:
		return actELU, true
	case Tanh:
		return actTanh, true
	case Sigmoid:
		return actSigmoid, true
	}
	return 0, false
}

// reluFamily reports whether k is ReLU-like, which selects He initialisation.
func (k actKind) reluFamily() bool {
	return k == actReLU || k == actLeakyReLU || k == actELU
}

// Each activation comes as a pair: xxxForward(z) computes a = f(z) and
// xxxBackward(z, a) computes the derivative f'(z). The backward functions get
// both z and the cached output a, because several derivatives are cheapest in
// terms of the output (σ' = σ(1−σ), tanh' = 1 − tanh²).

// Linear: f(z) = z, f'(z) = 1.
func linearForward(z float32) float32     { return z }
func linearBackward(z, a float32) float32 { return 1 }

// ReLU: f(z) = max(0, z); f'(z) = 1 for z > 0 and 0 otherwise (0 at the
// kink z = 0, like PyTorch).
func reluForward(z float32) float32 { return max(z, 0) }
func reluBackward(z, a float32) float32 {
	d := uint32(bitsZero)
	if z > 0 {
		d = bitsOne
	}
	return math.Float32frombits(d)
}

// LeakyReLU: f(z) = z for z > 0, else 0.01·z, i.e. max(z, 0.01·z);
// f'(z) = 1 for z > 0, else 0.01.
func leakyReLUForward(z float32) float32 { return max(z, leakySlope*z) }
func leakyReLUBackward(z, a float32) float32 {
	d := math.Float32bits(leakySlope)
	if z > 0 {
		d = bitsOne
	}
	return math.Float32frombits(d)
}

// The derivatives above select between two bit patterns rather than return
// 1 or 0 from two branches: the compiler turns that into a conditional move,
// whereas a branch on the sign of z is mispredicted for about half of the
// units, which made these loops 2–3 times slower.
const (
	bitsZero = 0x00000000 // math.Float32bits(0)
	bitsOne  = 0x3f800000 // math.Float32bits(1)
)

// ELU (α = 1): f(z) = z for z > 0, else e^z − 1; f'(z) = 1 for z > 0, else
// e^z = f(z) + 1. Since f(z) > 0 exactly when z > 0 and f(z) ∈ (−1, 0]
// otherwise, f'(z) = min(f(z), 0) + 1, without a branch.
func eluForward(z float32) float32 {
	if z > 0 {
		return z
	}
	return float32(math.Expm1(float64(z)))
}
func eluBackward(z, a float32) float32 { return min(a, 0) + 1 }

// Tanh: f(z) = tanh(z); f'(z) = 1 − tanh²(z) = 1 − a².
func tanhForward(z float32) float32     { return float32(math.Tanh(float64(z))) }
func tanhBackward(z, a float32) float32 { return 1 - a*a }

// Sigmoid: f(z) = σ(z) = 1 / (1 + e^−z); f'(z) = σ(z)(1 − σ(z)) = a(1 − a).
// Computed from e = e^−|z| ∈ (0, 1], which never overflows: σ(z) = 1/(1 + e)
// for z ≥ 0 and e/(1 + e) for z < 0, so a very negative z gives a tiny (or
// 0) output with full relative accuracy, never NaN. expNeg32 is a float32
// exp within 1 ulp, the whole within 3 ulp of the exact σ (2.4 measured
// over all inputs; TestSigmoidAccuracy); the vector kernel sigmoidVec gives
// the same bits.
func sigmoidForward(z float32) float32 {
	e := expNeg32(math.Float32frombits(math.Float32bits(z) | 1<<31)) // e^−|z|
	// The numerator, 1 or e, selected as a bit pattern without a branch
	// (as in reluBackward).
	num := math.Float32bits(e)
	if z >= 0 {
		num = bitsOne
	}
	return math.Float32frombits(num) / (1 + e)
}
func sigmoidBackward(z, a float32) float32 { return a * (1 - a) }

// forward adds the bias b to every row of the pre-activation z (a row-major
// matrix with len(b) columns) and writes a = f(z) elementwise. a may be z
// itself (that is how Linear layers store their output).
func (k actKind) forward(z, a, b []float32) {
	switch k {
	case actLinear:
		mapRows(z, a, b, linearForward)
	case actReLU:
		reluRows(z, a, b)
	case actLeakyReLU:
		mapRows(z, a, b, leakyReLUForward)
	case actELU:
		mapRows(z, a, b, eluForward)
	case actTanh:
		mapRows(z, a, b, tanhForward)
	case actSigmoid:
		sigmoidRows(z, a, b)
	default:
		panic("ae: unknown activation kind")
	}
}

// backward turns d = ∂L/∂a into ∂L/∂z in place, by the chain rule
// ∂L/∂z = ∂L/∂a · f'(z). z and a are the values cached by forward.
func (k actKind) backward(d, z, a []float32) {
	switch k {
	case actLinear:
		// f'(z) = 1: ∂L/∂z = ∂L/∂a, nothing to do.
	case actReLU:
		reluDeriv(d, z, a)
	case actLeakyReLU:
		mulDeriv(d, z, a, leakyReLUBackward)
	case actELU:
		mulDeriv(d, z, a, eluBackward)
	case actTanh:
		mulDeriv(d, z, a, tanhBackward)
	case actSigmoid:
		mulDeriv(d, z, a, sigmoidBackward)
	default:
		panic("ae: unknown activation kind")
	}
}

// mapRows sets z[r,j] += b[j] and a[r,j] = f(z[r,j]) for every row r. It is
// small enough to be inlined, so f is inlined too and the loop makes no
// function calls. len(b) must be positive (every layer has a unit).
func mapRows(z, a, b []float32, f func(float32) float32) {
	for r := 0; r < len(z); r += len(b) {
		zr, ar := z[r:r+len(b)], a[r:r+len(b)]
		for j, bj := range b {
			zr[j] += bj
			ar[j] = f(zr[j])
		}
	}
}

// mulDeriv sets d[i] *= df(z[i], a[i]); like mapRows it is inlined.
func mulDeriv(d, z, a []float32, df func(z, a float32) float32) {
	z, a = z[:len(d)], a[:len(d)]
	for i := range d {
		d[i] *= df(z[i], a[i])
	}
}

// reluRows, sigmoidRows and reluDeriv are mapRows and mulDeriv for the
// activations that have vector kernels (simd.go): the kernel does a prefix
// of each row, with the same results, and the Go loop the rest.

func reluRows(z, a, b []float32) {
	for r := 0; r < len(z); r += len(b) {
		zr, ar := z[r:r+len(b)], a[r:r+len(b)]
		for j := reluVec(zr, ar, b); j < len(b); j++ {
			zr[j] += b[j]
			ar[j] = reluForward(zr[j])
		}
	}
}

func sigmoidRows(z, a, b []float32) {
	for r := 0; r < len(z); r += len(b) {
		zr, ar := z[r:r+len(b)], a[r:r+len(b)]
		for j := sigmoidVec(zr, ar, b); j < len(b); j++ {
			zr[j] += b[j]
			ar[j] = sigmoidForward(zr[j])
		}
	}
}

func reluDeriv(d, z, a []float32) {
	z, a = z[:len(d)], a[:len(d)]
	for i := reluBackVec(d, z); i < len(d); i++ {
		d[i] *= reluBackward(z[i], a[i])
	}
}
