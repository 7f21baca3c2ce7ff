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
	return layoutWorkspace(layers, rows, train, latent, makeFloats)
}

// layoutWorkspace is newWorkspace taking each buffer from take, in an order
// that depends only on its arguments (see scratch.go, which carves the
// buffers out of one lent block).
func layoutWorkspace(layers []dense, rows int, train bool, latent int, take func(int) []float32) *workspace {
	ws := &workspace{rows: rows}
	if latent > 0 {
		ws.code, ws.eps = take(rows*latent), take(rows*latent)
		if train {
			ws.dcode = take(rows * latent)
		}
	}
	for _, l := range layers {
		z := take(rows * l.out)
		a := z
		if l.act != actLinear {
			a = take(rows * l.out)
		}
		ws.z, ws.a = append(ws.z, z), append(ws.a, a)
		if train {
			ws.d = append(ws.d, take(rows*l.out))
		}
	}
	return ws
}

// makeFloats allocates k zeros: the take of buffers a model owns.
func makeFloats(k int) []float32 { return make([]float32, k) }
