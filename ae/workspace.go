package ae

// workspace holds the buffers of one forward (and, for training, backward)
// pass over up to rows rows. Buffers are allocated once and reused, which is
// what makes TrainStep and the evaluation calls allocation-free.
type workspace struct {
	rows int
	z    [][]float32 // z[l]: pre-activations of layer l, rows×out
	a    [][]float32 // a[l]: activations f(z[l]); the same slice as z[l] for Linear layers
	d    [][]float32 // d[l]: ∂L/∂z[l] (then ∂L/∂a[l] on its way down); nil when not training

	// A VAE's sampled code (rows×M): z, the noise ε it was drawn with, and
	// ∂L/∂z when training; kl is the summed KL of the last sampling.
	code, eps, dcode []float32
	kl               float64

	conv *convWork // the convolutions' buffers (Config.Conv); nil without
}

// newWorkspace allocates the buffers of the given layers for rows rows,
// with gradient buffers only if train is set, and a VAE's code buffers of
// width latent if latent > 0.
func newWorkspace(layers []dense, rows int, train bool, latent int) *workspace {
	ws := &workspace{rows: rows}
	if latent > 0 {
		ws.code, ws.eps = make([]float32, rows*latent), make([]float32, rows*latent)
		if train {
			ws.dcode = make([]float32, rows*latent)
		}
	}
	for _, l := range layers {
		z := make([]float32, rows*l.out)
		a := z
		if l.act != actLinear {
			a = make([]float32, rows*l.out)
		}
		ws.z, ws.a = append(ws.z, z), append(ws.a, a)
		if train {
			ws.d = append(ws.d, make([]float32, rows*l.out))
		}
	}
	return ws
}
