package ae

// momentum is SGD with momentum, exactly as torch.optim.SGD with dampening 0.
// With g ← g + λ·w (weight decay), each step does
//
//	v ← μ·v + g            (v starts at 0, so the first v is g)
//	w ← w − η·v            (classical, "heavy ball")
//	w ← w − η·(g + μ·v)    (Nesterov: look ahead along the new velocity)
//
// momentumVec and nesterovVec (sgd_amd64.s) run the same loops 8 or 16
// parameters at a time, with the same results bit for bit (see simd.go).
type momentum struct {
	mu          float32 // μ
	nesterov    bool
	weightDecay float32   // λ
	v           []float32 // velocity, one per parameter
}

func (o *momentum) update(w, g []float32, lr float64) {
	c := sgdCoef{eta: float32(lr), mu: o.mu, wd: o.weightDecay}
	g, v := g[:len(w)], o.v[:len(w)]
	if o.nesterov {
		for i := nesterovVec(w, g, v, &c); i < len(w); i++ {
			gi := g[i] + float32(c.wd*w[i])
			v[i] = float32(c.mu*v[i]) + gi
			w[i] -= float32(c.eta * (gi + float32(c.mu*v[i])))
		}
		return
	}
	for i := momentumVec(w, g, v, &c); i < len(w); i++ {
		v[i] = float32(c.mu*v[i]) + g[i] + float32(c.wd*w[i])
		w[i] -= float32(c.eta * v[i])
	}
}
