package session

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/analysis"
	"github.com/aelab/aelab/datasets"
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
// that test loss and PSNR are measured on the same noise every epoch (the
// clean ones are read from the shared data set).
type denoiser struct {
	cfg       NoiseConfig // the corruption as configured (or last set)
	noise     analysis.Noise
	vr        [2]float32 // the dataset's value range
	seed      uint64
	recX      []float32 // the clean reconstruction examples
	rng       *rand.Rand
	src       *rand.PCG // rng's source, kept in checkpoints
	batch     []float32
	testNoisy []float32
	recNoisy  []float32 // noisy versions of the reconstruction examples
	out       []float32 // scratch for PSNR
	peak      float64
	test      datasets.Split // the clean test examples (targets of testNoisy)
	nTest     int
}

// newDenoiser corrupts the first nTest examples of test once and for all,
// then recX (the reconstruction examples).
func newDenoiser(cfg *NoiseConfig, valueRange [2]float32, seed uint64, batch int, test datasets.Split, nTest int, recX []float32) *denoiser {
	k := test.Features()
	src := rand.NewPCG(seed, 0x6e6f697365)
	d := &denoiser{cfg: *cfg, noise: cfg.noise(valueRange), vr: valueRange, seed: seed, recX: recX,
		rng: rand.New(src), src: src,
		batch: make([]float32, batch*k), testNoisy: make([]float32, nTest*k), recNoisy: make([]float32, len(recX)),
		peak: float64(valueRange[1] - valueRange[0]), test: test, nTest: nTest}
	d.corruptFixed()
	return d
}

// corruptFixed corrupts the test and reconstruction examples with the
// current noise, from the same fixed random stream every time.
func (d *denoiser) corruptFixed() {
	k := d.test.Features()
	fixed := rand.New(rand.NewPCG(d.seed, 0x74657374))
	eachChunk(d.test, d.nTest, func(x []float32, r, c int) { d.noise.Apply(d.testNoisy[r*k:(r+c)*k], x, fixed) })
	d.noise.Apply(d.recNoisy, d.recX, fixed)
}

// setNoise changes the corruption from the next batch on (a validated
// change, see Session.Set). The test and reconstruction examples are
// corrupted anew, so that the test loss and PSNR measure the task being
// trained; the training stream of random numbers goes on.
func (d *denoiser) setNoise(n NoiseConfig) {
	d.cfg, d.noise = n, n.noise(d.vr)
	d.corruptFixed()
}

// marshalState returns the position of the training noise.
func (d *denoiser) marshalState() []byte {
	b, _ := d.src.MarshalBinary() // a PCG always marshals
	return b
}

// unmarshalState sets the position of the training noise.
func (d *denoiser) unmarshalState(b []byte) error {
	src := *d.src
	if err := src.UnmarshalBinary(b); err != nil {
		return fmt.Errorf("the denoising noise's state: %w", err)
	}
	*d.src = src
	return nil
}

// corrupt returns a noisy copy of the batch x (n rows).
func (d *denoiser) corrupt(x []float32) []float32 {
	b := d.batch[:len(x)]
	d.noise.Apply(b, x, d.rng)
	return b
}

// evalParts is the test loss of the model on the n fixed noisy test
// examples against the clean ones of test.
func (d *denoiser) evalParts(m *ae.Model, test datasets.Split, n int) ae.LossParts {
	k := test.Features()
	var sum partsSum
	eachChunk(test, n, func(clean []float32, r, c int) {
		sum.add(m.EvalParts(d.testNoisy[r*k:(r+c)*k], clean, c), c)
	})
	return sum.mean(n)
}

// psnr measures, over the n fixed noisy test examples, the PSNR of the
// noisy inputs and of the model's denoised outputs against the clean
// originals of test.
func (d *denoiser) psnr(reconstruct func(dst, x []float32, n int), test datasets.Split, n int) (in, out float64) {
	k := test.Features()
	if len(d.out) < chunkRows*k {
		d.out = make([]float32, chunkRows*k)
	}
	var sumIn, sumOut float64
	eachChunk(test, n, func(clean []float32, r, c int) {
		noisy := d.testNoisy[r*k : (r+c)*k]
		reconstruct(d.out[:c*k], noisy, c)
		for i := 0; i < c; i++ {
			row := clean[i*k : (i+1)*k]
			sumIn += capPSNR(analysis.PSNR(noisy[i*k:(i+1)*k], row, d.peak))
			sumOut += capPSNR(analysis.PSNR(d.out[i*k:(i+1)*k], row, d.peak))
		}
	})
	return capPSNR(sumIn / float64(n)), capPSNR(sumOut / float64(n))
}

// capPSNR keeps identical images (infinite PSNR) representable in JSON.
func capPSNR(v float64) float64 {
	if math.IsInf(v, 1) || v > 99 {
		return 99
	}
	return math.Round(v*100) / 100
}
