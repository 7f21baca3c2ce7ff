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
// adamVec (adam_amd64.s) runs the same loop 8 or 16 parameters at a time,
// with the same operations in the same order, so its results are the loop's
// bit for bit (see simd.go).
type adam struct {
	beta1, beta2 float64
	eps          float32
	weightDecay  float32
	t            int       // steps taken
	m, v         []float32 // first and second moments, one per parameter
}

// adamCoef holds the float32 constants of one Adam step, in the order the
// assembly kernels read them.
type adamCoef struct {
	wd        float32 // λ
	b1, c1    float32 // β1, 1−β1
	b2, c2    float32 // β2, 1−β2
	invSqrtC2 float32 // 1/√(1−β2ᵗ)
	eps       float32 // ε
	step      float32 // η/(1−β1ᵗ)
}

func (o *adam) update(w, g []float32, lr float64) {
	o.t++
	t := float64(o.t)
	c := adamCoef{
		wd: o.weightDecay,
		b1: float32(o.beta1), c1: float32(1 - o.beta1),
		b2: float32(o.beta2), c2: float32(1 - o.beta2),
		invSqrtC2: float32(1 / math.Sqrt(1-math.Pow(o.beta2, t))),
		eps:       o.eps,
		step:      float32(lr / (1 - math.Pow(o.beta1, t))),
	}
	g, m, v := g[:len(w)], o.m[:len(w)], o.v[:len(w)]
	for i := adamVec(w, g, m, v, &c); i < len(w); i++ {
		gi := g[i] + float32(c.wd*w[i])
		m[i] = float32(c.b1*m[i]) + float32(c.c1*gi)
		v[i] = float32(c.b2*v[i]) + float32(float32(c.c2*gi)*gi)
		w[i] -= float32(c.step*m[i]) / (float32(sqrt32(v[i])*c.invSqrtC2) + c.eps)
	}
}

// sqrt32 is a float32 square root (the compiler emits one SQRTSS).
func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
