package analysis

import (
	"math"
	"math/rand/v2"
	"strings"
)

// The kinds of Noise.
const (
	NoiseNone       = "none"        // the input is left unchanged
	NoiseGaussian   = "gaussian"    // add N(0, σ²) to every value, then clip
	NoiseMasking    = "masking"     // set a random fraction of the values to Lo
	NoiseSaltPepper = "salt_pepper" // set a random fraction to Lo or Hi, with equal odds
)

// NoiseKinds returns the names Noise.Kind accepts, for forms and messages.
func NoiseKinds() []string {
	return []string{NoiseNone, NoiseGaussian, NoiseMasking, NoiseSaltPepper}
}

// Noise corrupts inputs for a denoising autoencoder: the network sees the
// noisy input and is trained to output the clean one.
type Noise struct {
	// Kind is one of NoiseKinds.
	Kind string
	// Level is the standard deviation σ of Gaussian noise (between 0 and
	// Hi−Lo), or the probability that a value is masked or flipped to salt
	// or pepper (between 0 and 1), so the expected fraction of values hit.
	Level float64
	// Lo and Hi are the range of valid values, e.g. a dataset's ValueRange:
	// Gaussian noise is clipped to [Lo, Hi], masking writes Lo, and salt and
	// pepper write Hi and Lo. They are not used by NoiseNone.
	Lo, Hi float32
}

// Validate reports the first user mistake in n as an error wrapping
// ErrInvalidInput that names the offending field and its valid range.
func (n Noise) Validate() error {
	switch n.Kind {
	case NoiseNone:
		return nil
	case NoiseGaussian, NoiseMasking, NoiseSaltPepper:
	default:
		return invalidf("unknown noise kind %q: use one of %s", n.Kind, strings.Join(NoiseKinds(), ", "))
	}
	lo, hi := float64(n.Lo), float64(n.Hi)
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) || !(lo < hi) {
		return invalidf("%s noise: value range [%g, %g] must be finite with Lo < Hi", n.Kind, lo, hi)
	}
	if n.Kind == NoiseGaussian {
		if !(n.Level >= 0 && n.Level <= hi-lo) {
			return invalidf("gaussian noise: σ = %g must be between 0 and %g, the width of the value range [%g, %g]",
				n.Level, hi-lo, lo, hi)
		}
		return nil
	}
	if !(n.Level >= 0 && n.Level <= 1) {
		what := "fraction of values masked"
		if n.Kind == NoiseSaltPepper {
			what = "fraction of values flipped to salt or pepper"
		}
		return invalidf("%s noise: level %g is the %s; it must be between 0 and 1", n.Kind, n.Level, what)
	}
	return nil
}

// Apply writes a corrupted copy of src to dst. dst and src must have the same
// length; dst may be src itself (but must not overlap it otherwise). Each
// value draws from rng independently, in order, so the result depends only on
// the state of rng: Gaussian noise draws one normal per value, masking and
// salt-and-pepper one uniform per value. Apply does not allocate. It panics
// on a length mismatch, if n is invalid (check user input with Validate
// first), or if rng is nil for a kind other than NoiseNone.
func (n Noise) Apply(dst, src []float32, rng *rand.Rand) {
	checkSameLen("Noise.Apply", dst, src)
	if err := n.Validate(); err != nil {
		panicf("Noise.Apply: %v", err)
	}
	if n.Kind != NoiseNone && rng == nil {
		panicf("Noise.Apply: nil rng for %s noise", n.Kind)
	}
	src = src[:len(dst)] // one bounds check for the loops below
	switch n.Kind {
	case NoiseNone:
		copy(dst, src)
	case NoiseGaussian:
		lo, hi, sigma := float64(n.Lo), float64(n.Hi), n.Level
		for i, v := range src {
			dst[i] = float32(min(max(float64(v)+sigma*rng.NormFloat64(), lo), hi))
		}
	case NoiseMasking:
		for i, v := range src {
			if rng.Float64() < n.Level {
				v = n.Lo
			}
			dst[i] = v
		}
	case NoiseSaltPepper:
		// One uniform u decides both whether the value is hit (u < p) and,
		// if so, which way: pepper (Lo) for u < p/2, salt (Hi) otherwise.
		p := n.Level
		for i, v := range src {
			if u := rng.Float64(); u < p {
				v = n.Hi
				if u < p/2 {
					v = n.Lo
				}
			}
			dst[i] = v
		}
	}
}
