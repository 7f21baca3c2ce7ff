package ae

// sgd is plain stochastic gradient descent:
//
//	w ← w − η·(g + λ·w)
//
// where η is the learning rate and λ the weight decay. sgdVec
// (sgd_amd64.s) runs the same loop 8 or 16 parameters at a time, with the
// same results bit for bit (see simd.go).
type sgd struct {
	weightDecay float32 // λ
}

// sgdCoef holds the float32 constants of one SGD or momentum step, in the
// order the assembly kernels read them.
type sgdCoef struct {
	eta, mu, wd float32 // η, μ (momentum only), λ
}

func (o *sgd) update(w, g []float32, lr float64) {
	c := sgdCoef{eta: float32(lr), wd: o.weightDecay}
	g = g[:len(w)]
	for i := sgdVec(w, g, &c); i < len(w); i++ {
		w[i] -= float32(c.eta * (g[i] + float32(c.wd*w[i])))
	}
}
