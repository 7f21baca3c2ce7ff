package ae

import "math"

// Two regularisers, each with its value (the loss part it adds, reported in
// LossParts) and its gradient side by side.
//
// Sparsity: an L1 penalty on the code's activity, so that each example is
// explained by few active code units:
//
//	S = λₛ·scale·Σ |aᵢⱼ|        ∂S/∂aᵢⱼ = λₛ·scale·sign(aᵢⱼ)  (0 at 0)
//
// over the n×M code values a, where scale is 1/(n·M) for an AE (a mean, like
// its reconstruction loss) and 1/n for a VAE (a sum per example, like its
// reconstruction loss; the code there is μ).
//
// Weight decay: an L2 penalty on the weights (not the biases):
//
//	D = λ/2·Σ W²                ∂D/∂W = λ·W
//
// SGD and Momentum follow that gradient (coupled decay). Adam does not: its
// per-parameter scaling would decay large-gradient weights less, so, as in
// AdamW (Loshchilov & Hutter, 2019), the weights shrink by the factor
// 1 − η·λ before each Adam step and the penalty stays out of the moments.

// sparsityForward returns the penalty λₛ·scale·Σ|a| of the code values a:
// the first cols columns of each row of width width (a VAE's μ sits in
// front of its log σ²).
func sparsityForward(a []float32, width, cols int, lambda, scale float64) float64 {
	var s float64
	for r := 0; r < len(a); r += width {
		for _, v := range a[r : r+cols] {
			s += math.Abs(float64(v))
		}
	}
	return lambda * scale * s
}

// sparsityBackward adds λₛ·scale·sign(a) to d = ∂L/∂a (same layout as a),
// over the same columns as sparsityForward.
func sparsityBackward(d, a []float32, width, cols int, lambda, scale float64) {
	g := float32(lambda * scale)
	for r := 0; r < len(a); r += width {
		dr := d[r : r+cols]
		for j, v := range a[r : r+cols] {
			switch {
			case v > 0:
				dr[j] += g
			case v < 0:
				dr[j] -= g
			}
		}
	}
}

// decayForward returns λ/2·Σ W² over the weights of every layer.
func decayForward(layers []dense, lambda float64) float64 {
	var s float64
	for i := range layers {
		for _, w := range layers[i].w {
			s += float64(w) * float64(w)
		}
	}
	return lambda / 2 * s
}

// decayBackward adds ∂D/∂W = λ·W to every layer's weight gradient (coupled
// decay, for SGD and Momentum).
func decayBackward(layers []dense, lambda float64) {
	g := float32(lambda)
	for i := range layers {
		l := &layers[i]
		for j, w := range l.w {
			l.gw[j] += g * w
		}
	}
}

// decayDecoupled shrinks every weight by the factor 1 − η·λ (AdamW's decay,
// applied before the Adam step as torch.optim.AdamW does).
func decayDecoupled(layers []dense, lambda, lr float64) {
	f := float32(1 - lr*lambda)
	for i := range layers {
		for j := range layers[i].w {
			layers[i].w[j] *= f
		}
	}
}
