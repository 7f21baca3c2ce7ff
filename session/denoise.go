package session

import (
	"math"
	"math/rand/v2"

	"github.com/aelab/aelab/analysis"
)

// noise turns the configuration into the analysis package's corruption,
// clipped to the dataset's value range.
func (n *NoiseConfig) noise(valueRange [2]float32) analysis.Noise {
	return analysis.Noise{Kind: n.Kind, Level: n.Level, Lo: valueRange[0], Hi: valueRange[1]}
}

// active reports whether n corrupts anything.
func (n *NoiseConfig) active() bool {
	return n != nil && n.Kind != "" && n.Kind != "none" && n.Level > 0
}

// denoiser is the trainer's state for a denoising run: the corruption, its
// own random stream (so the noise is reproducible from the seed), the batch
// buffer it corrupts into, and a fixed noisy copy of the test examples so
// that test loss and PSNR are measured on the same noise every epoch.
type denoiser struct {
	noise     analysis.Noise
	rng       *rand.Rand
	batch     []float32
	testNoisy []float32
	recNoisy  []float32 // noisy versions of the reconstruction examples
	out       []float32 // scratch for PSNR
	peak      float64
}

func newDenoiser(cfg *NoiseConfig, valueRange [2]float32, seed uint64, batch, k int, testX, recX []float32) *denoiser {
	d := &denoiser{noise: cfg.noise(valueRange), rng: rand.New(rand.NewPCG(seed, 0x6e6f697365)),
		batch: make([]float32, batch*k), testNoisy: make([]float32, len(testX)), recNoisy: make([]float32, len(recX)),
		peak: float64(valueRange[1] - valueRange[0])}
	fixed := rand.New(rand.NewPCG(seed, 0x74657374))
	d.noise.Apply(d.testNoisy, testX, fixed)
	d.noise.Apply(d.recNoisy, recX, fixed)
	return d
}

// corrupt returns a noisy copy of the batch x (n rows).
func (d *denoiser) corrupt(x []float32) []float32 {
	b := d.batch[:len(x)]
	d.noise.Apply(b, x, d.rng)
	return b
}

// psnr measures, over the fixed noisy test examples, the PSNR of the noisy
// inputs and of the model's denoised outputs against the clean originals.
func (d *denoiser) psnr(reconstruct func(dst, x []float32, n int), clean []float32, n, k int) (in, out float64) {
	const chunk = 256
	if len(d.out) < chunk*k {
		d.out = make([]float32, chunk*k)
	}
	var sumIn, sumOut float64
	for r := 0; r < n; r += chunk {
		c := min(chunk, n-r)
		noisy := d.testNoisy[r*k : (r+c)*k]
		reconstruct(d.out[:c*k], noisy, c)
		for i := 0; i < c; i++ {
			row := (r + i) * k
			sumIn += capPSNR(analysis.PSNR(noisy[i*k:(i+1)*k], clean[row:row+k], d.peak))
			sumOut += capPSNR(analysis.PSNR(d.out[i*k:(i+1)*k], clean[row:row+k], d.peak))
		}
	}
	return capPSNR(sumIn / float64(n)), capPSNR(sumOut / float64(n))
}

// capPSNR keeps identical images (infinite PSNR) representable in JSON.
func capPSNR(v float64) float64 {
	if math.IsInf(v, 1) || v > 99 {
		return 99
	}
	return math.Round(v*100) / 100
}
