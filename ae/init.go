package ae

import (
	"math"
	"math/rand/v2"
)

// pcgStream is the second PCG seed word; Config.Seed is the first. Any fixed
// constant works: it only has to be the same on every run.
const pcgStream = 0x9e3779b97f4a7c15

// Init names a scheme of initial weights (Config.Init).
type Init string

// The schemes of initial weights.
const (
	// InitHe is initParams: He normal weights before ReLU-like activations,
	// Glorot uniform before the others, zero biases.
	InitHe Init = "he"
	// InitPyTorch is PyTorch's nn.Linear default (initUniform): weights and
	// biases from U(−a, a), a = 1/√fan_in.
	InitPyTorch Init = "pytorch"
)

// Inits returns every scheme of initial weights, in a stable order.
func Inits() []Init { return []Init{InitHe, InitPyTorch} }

// denseInit is the scheme the dense layers of a model of c start from.
func (c Config) denseInit() Init {
	if c.Init != "" {
		return c.Init
	}
	if len(c.Conv) > 0 {
		return InitPyTorch
	}
	return InitHe
}

// newRand returns the random source seeded by seed.
func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, pcgStream)) }

// initParams draws every weight from rng, layer by layer and row by row, and
// sets every bias to zero. The scale keeps the variance of the activations
// roughly constant from layer to layer, which is what lets a deep network
// start learning at all:
//
//   - ReLU, LeakyReLU and ELU layers use He (Kaiming) normal initialisation,
//     W ~ N(0, gain²/fan_in) with gain² = 2/(1 + slope²): ReLU zeroes half of
//     its inputs, so it needs twice the variance (He et al., 2015).
//   - Linear, Tanh and Sigmoid layers use Glorot (Xavier) uniform
//     initialisation, W ~ U(−a, a) with a = √(6/(fan_in + fan_out)), which
//     balances the forward and backward variances (Glorot & Bengio, 2010).
//
// A layer is initialised for the activation that follows it (Hidden for all
// but the last layer, Output for the last). This differs on purpose from
// PyTorch's nn.Linear default (uniform ±1/√fan_in, also for biases), which
// convolutional autoencoders use (initUniform in convnet.go).
func initParams(layers []dense, rng *rand.Rand) {
	for i := range layers {
		l := &layers[i]
		switch {
		case l.act.reluFamily():
			slope := 0.0
			if l.act == actLeakyReLU {
				slope = leakySlope
			}
			std := math.Sqrt(2 / (1 + slope*slope) / float64(l.in))
			for j := range l.w {
				l.w[j] = float32(std * rng.NormFloat64())
			}
		default:
			a := math.Sqrt(6 / float64(l.in+l.out))
			for j := range l.w {
				l.w[j] = float32(a * (2*rng.Float64() - 1))
			}
		}
		clear(l.b)
	}
}
