package ae

import (
	"math"
	"slices"
)

// The softmax cross-entropy head, forward and backward side by side. For
// the logits z of one example and its class y, the softmax turns scores
// into probabilities and the loss is minus the log-probability of y:
//
//	pⱼ = e^(zⱼ) / Σₖ e^(zₖ)
//	ℓ  = −log p_y = log Σₖ e^(zₖ) − z_y
//	∂ℓ/∂zⱼ = pⱼ − [j = y]
//
// Written with m = maxₖ zₖ subtracted first (log Σ e^(zₖ) = m + log Σ
// e^(zₖ−m)), no exponential overflows and log never sees 0, whatever the
// logits: the loss is computed from the logits, never as log(p).

// softmaxCE returns Σ ℓ over the rows of the logits z (rows×c) with the
// given labels, computed stably in float64.
func softmaxCE(z []float32, labels []int, c int) float64 {
	var sum float64
	for i, y := range labels {
		zi := z[i*c : (i+1)*c]
		m := slices.Max(zi)
		var s float64
		for _, v := range zi {
			s += math.Exp(float64(v - m))
		}
		sum += float64(m) + math.Log(s) - float64(zi[y])
	}
	return sum
}

// softmaxCEGrad returns Σ ℓ like softmaxCE and writes dz = scale·(p − onehot(y))
// row by row, scale = 1/n making the loss a mean over the batch.
func softmaxCEGrad(dz, z []float32, labels []int, c int, scale float32) float64 {
	var sum float64
	for i, y := range labels {
		zi, di := z[i*c:(i+1)*c], dz[i*c:(i+1)*c]
		m := slices.Max(zi)
		var s float64
		for j, v := range zi {
			e := math.Exp(float64(v - m))
			di[j] = float32(e)
			s += e
		}
		sum += float64(m) + math.Log(s) - float64(zi[y])
		inv := float32(1 / s)
		for j := range di {
			di[j] *= inv * scale
		}
		di[y] -= scale
	}
	return sum
}

// argmax returns the index of the largest value of z, the first if tied.
func argmax(z []float32) int {
	best := 0
	for j, v := range z {
		if v > z[best] {
			best = j
		}
	}
	return best
}
