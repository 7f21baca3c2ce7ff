package ae

// momentum is SGD with momentum, exactly as torch.optim.SGD with dampening 0.
// With g ← g + λ·w (weight decay), each step does
//
//	v ← μ·v + g            (v starts at 0, so the first v is g)
//	w ← w − η·v            (classical, "heavy ball")
//	w ← w − η·(g + μ·v)    (Nesterov: look ahead along the new velocity)
type momentum struct {
	mu          float32 // μ
	nesterov    bool
	weightDecay float32   // λ
	v           []float32 // velocity, one per parameter
}

func (o *momentum) update(w, g []float32, lr float64) {
	eta, mu, wd := float32(lr), o.mu, o.weightDecay
	g, v := g[:len(w)], o.v[:len(w)]
	if o.nesterov {
		for i := range w {
			gi := g[i] + wd*w[i]
			v[i] = mu*v[i] + gi
			w[i] -= eta * (gi + mu*v[i])
		}
		return
	}
	for i := range w {
		v[i] = mu*v[i] + g[i] + wd*w[i]
		w[i] -= eta * v[i]
	}
}
