package ae

import (
	"math"
	"math/rand/v2"
)

// The variational autoencoder's two ops: the reparameterisation, which turns
// the encoder's (μ, log σ²) into a code z, and the KL term, which pulls
// q(z|x) = N(μ, σ²) towards the prior N(0, I). Both work on the rows of the
// code layer's output, stored as [μ₁ … μ_M | log σ²₁ … log σ²_M] (width 2M).
//
// Reparameterisation (Kingma & Welling, 2014): with ε ~ N(0, 1) drawn
// outside the network,
//
//	z = μ + σ·ε,   σ = exp(½·log σ²)
//	∂z/∂μ = 1,     ∂z/∂log σ² = ½·σ·ε
//
// so the gradient flows through the sample to μ and log σ², and the noise
// is just an input.
//
// KL divergence of N(μ, σ²) from N(0, 1), per code unit, summed over the M
// units of each example:
//
//	KL = ½·Σⱼ (μⱼ² + σⱼ² − 1 − log σⱼ²)
//	∂KL/∂μⱼ = μⱼ,  ∂KL/∂log σⱼ² = ½·(σⱼ² − 1)

// reparamForward writes the n×M codes z = μ + σ·ε from the n×2M rows of
// ml = [μ | log σ²], drawing ε from noise into eps (kept for the backward
// pass); with noise nil it writes z = μ (the code's mean, what Encode
// returns and Reconstruct decodes). It returns the summed KL of the n
// examples, computed in the same pass.
func reparamForward(z, eps, ml []float32, n, m int, noise *rand.Rand) float64 {
	var kl float64
	for r := 0; r < n; r++ {
		mu, lv := ml[r*2*m:r*2*m+m], ml[r*2*m+m:(r+1)*2*m]
		zr := z[r*m : (r+1)*m]
		for j := range zr {
			v := math.Exp(float64(lv[j])) // σ²
			kl += 0.5 * (float64(mu[j])*float64(mu[j]) + v - 1 - float64(lv[j]))
			if noise == nil {
				zr[j] = mu[j]
				continue
			}
			e := float32(noise.NormFloat64())
			eps[r*m+j] = e
			zr[j] = mu[j] + float32(math.Sqrt(v))*e
		}
	}
	return kl
}

// reparamBackward turns dz = ∂L/∂z (n×M) into dml = ∂L/∂[μ | log σ²]
// (n×2M), adding klScale·∂KL/∂(μ, log σ²), where klScale = β/n is the KL's
// weight in the batch loss. ml and eps are the values of the forward pass.
func reparamBackward(dml, dz, ml, eps []float32, n, m int, klScale float32) {
	for r := 0; r < n; r++ {
		mu, lv := ml[r*2*m:r*2*m+m], ml[r*2*m+m:(r+1)*2*m]
		dmu, dlv := dml[r*2*m:r*2*m+m], dml[r*2*m+m:(r+1)*2*m]
		for j := range dmu {
			d := dz[r*m+j]
			v := float32(math.Exp(float64(lv[j]))) // σ²
			sigma := float32(math.Sqrt(float64(v)))
			dmu[j] = d + klScale*mu[j]
			dlv[j] = d*0.5*sigma*eps[r*m+j] + klScale*0.5*(v-1)
		}
	}
}

// klSum returns the summed KL of the n rows of ml without sampling (for
// evaluation with a mean code).
func klSum(ml []float32, n, m int) float64 {
	var kl float64
	for r := 0; r < n; r++ {
		mu, lv := ml[r*2*m:r*2*m+m], ml[r*2*m+m:(r+1)*2*m]
		for j := range mu {
			kl += 0.5 * (float64(mu[j])*float64(mu[j]) + math.Exp(float64(lv[j])) - 1 - float64(lv[j]))
		}
	}
	return kl
}

// noiseStream is the second PCG seed word of the VAE's noise sources, so
// their ε never repeat the initial weights' draws.
const noiseStream = 0x5851f42d4c957f2d

// newNoise returns a normal source seeded by (seed, noiseStream) and the
// PCG under it, which Seed resets without allocating.
func newNoise(seed uint64) (*rand.Rand, *rand.PCG) {
	src := rand.NewPCG(seed, noiseStream)
	return rand.New(src), src
}
