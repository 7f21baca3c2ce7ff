package ae

import "math"

// adam is Adam (Kingma & Ba, 2015) with bias correction, as torch.optim.Adam.
// With g ← g + λ·w (L2 weight decay, not AdamW), step t = 1, 2, … does
//
//	m ← β1·m + (1−β1)·g        running mean of the gradient
//	v ← β2·v + (1−β2)·g²       running mean of its square
//	m̂ = m / (1 − β1ᵗ)          bias correction: m and v start at 0
//	v̂ = v / (1 − β2ᵗ)
//	w ← w − η·m̂ / (√v̂ + ε)
//
// The loop below hoists the corrections out: η/(1−β1ᵗ) and 1/√(1−β2ᵗ).
type adam struct {
	beta1, beta2 float64
	eps          float32
	weightDecay  float32
	t            int       // steps taken
	m, v         []float32 // first and second moments, one per parameter
}

func (o *adam) update(w, g []float32, lr float64) {
	o.t++
	t := float64(o.t)
	step := float32(lr / (1 - math.Pow(o.beta1, t)))
	invSqrtC2 := float32(1 / math.Sqrt(1-math.Pow(o.beta2, t)))
	b1, b2 := float32(o.beta1), float32(o.beta2)
	c1, c2 := float32(1-o.beta1), float32(1-o.beta2)
	eps, wd := o.eps, o.weightDecay
	g, m, v := g[:len(w)], o.m[:len(w)], o.v[:len(w)]
	for i := range w {
		gi := g[i] + wd*w[i]
		m[i] = b1*m[i] + c1*gi
		v[i] = b2*v[i] + c2*gi*gi
		w[i] -= step * m[i] / (sqrt32(v[i])*invSqrtC2 + eps)
	}
}

// sqrt32 is a float32 square root (the compiler emits one SQRTSS).
func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
