package datasets

import (
	"math"
	"math/rand/v2"
)

// Two-dimensional sheets rolled up in 3-D: an autoencoder with a
// 2-unit bottleneck can learn to unroll them. Labels are six bands along the
// sheet, so a good latent space shows the colours in order.

const (
	manifoldBands = 6
	manifoldNoise = 0.05 // standard deviation of Gaussian noise, before scaling
)

var swissRollSpec = &toySpec{
	name:  "swiss_roll",
	title: "Swiss roll (3-D)",
	description: "Points on a rolled-up sheet in 3-D, like a swiss roll; colours are six bands from the " +
		"centre of the roll (band 1) outwards (band 6). Scaled to [0,1] with the proportions kept.",
	features:   3,
	classNames: bandNames(manifoldBands),
	scale:      isotropic,
	sampler: func(rng *rand.Rand) func(x []float32) int {
		const lo, hi = 1.5 * math.Pi, 4.5 * math.Pi
		return func(x []float32) int {
			t := lo + (hi-lo)*rng.Float64()
			h := 21 * rng.Float64()
			x[0] = float32(t*math.Cos(t) + manifoldNoise*rng.NormFloat64())
			x[1] = float32(h + manifoldNoise*rng.NormFloat64())
			x[2] = float32(t*math.Sin(t) + manifoldNoise*rng.NormFloat64())
			return band(t, lo, hi, manifoldBands)
		}
	},
}

var sCurveSpec = &toySpec{
	name:  "s_curve",
	title: "S-curve (3-D)",
	description: "Points on a sheet bent into an S shape in 3-D; colours are six bands from one end of " +
		"the S (band 1) to the other (band 6). Scaled to [0,1] with the proportions kept.",
	features:   3,
	classNames: bandNames(manifoldBands),
	scale:      isotropic,
	sampler: func(rng *rand.Rand) func(x []float32) int {
		const lo, hi = -1.5 * math.Pi, 1.5 * math.Pi
		return func(x []float32) int {
			t := lo + (hi-lo)*rng.Float64()
			h := 2 * rng.Float64()
			sign := 1.0
			if t < 0 {
				sign = -1
			}
			x[0] = float32(math.Sin(t) + manifoldNoise/4*rng.NormFloat64())
			x[1] = float32(h + manifoldNoise/4*rng.NormFloat64())
			x[2] = float32(sign*(math.Cos(t)-1) + manifoldNoise/4*rng.NormFloat64())
			return band(t, lo, hi, manifoldBands)
		}
	},
}
