package ae

// sgd is plain stochastic gradient descent:
//
//	w ← w − η·(g + λ·w)
//
// where η is the learning rate and λ the weight decay.
type sgd struct {
	weightDecay float32 // λ
}

func (o *sgd) update(w, g []float32, lr float64) {
	eta, wd := float32(lr), o.weightDecay
	g = g[:len(w)]
	for i := range w {
		w[i] -= eta * (g[i] + wd*w[i])
	}
}
