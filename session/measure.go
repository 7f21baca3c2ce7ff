package session

import (
	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/datasets"
)

// A Measure is what a lab adds to a training while it runs: the denoising
// lab corrupts the inputs and measures PSNR, the anomaly lab scores every
// test example. Measures plug into the trainer through this one interface,
// so a new lab or model kind adds a Measure (and a line in measureMakers),
// not a case in the training loop. The training goroutine owns its
// measures: they may keep buffers, and run only at the points below.
type Measure interface {
	// Inputs returns what the model is fed for the clean batch x (the
	// targets stay x): x itself, or a corrupted copy.
	Inputs(x []float32) []float32
	// Test measures the model at a test point (in the training's CPU turn):
	// it adds what it finds to f, and may return the test loss (with its
	// parts) to record instead of the plain one (ok).
	Test(model *ae.Model, at Point, f *Findings) (loss ae.LossParts, ok bool)
	// Shown returns the inputs to show beside the reconstruction examples
	// (nil: the clean ones).
	Shown() []float32
}

// Point is where in a training a measure is taken.
type Point struct {
	Step  int
	Epoch float64
}

// Findings is what measures report at a test point: named metrics (one
// point of a curve each) and an anomaly scoring.
type Findings struct {
	Metrics map[string]float64
	Anomaly *Anomaly
}

// metric records a named value.
func (f *Findings) metric(name string, v float64) {
	if f.Metrics == nil {
		f.Metrics = make(map[string]float64)
	}
	f.Metrics[name] = v
}

// measureEnv is what a measure may be made from.
type measureEnv struct {
	cfg   Config
	ds    *datasets.Dataset
	test  datasets.Split // the shared test examples the training is evaluated on
	nTest int
	recX  []float32 // the examples of the reconstructions message
}

// measureMakers make the measures a configuration asks for; each returns
// nil when it does not apply.
var measureMakers = []func(e measureEnv) Measure{
	func(e measureEnv) Measure {
		if len(e.cfg.TrainClasses) == 0 {
			return nil
		}
		return newAnomalyScorer(e.ds, e.cfg.TrainClasses, e.nTest)
	},
	func(e measureEnv) Measure {
		if !e.cfg.Noise.active() {
			return nil
		}
		return newDenoiser(e.cfg.Noise, e.ds.ValueRange, e.cfg.Seed, e.cfg.BatchSize, e.test, e.nTest, e.recX)
	},
}

// measuresFor returns the measures of a training.
func measuresFor(e measureEnv) []Measure {
	var out []Measure
	for _, mk := range measureMakers {
		if ms := mk(e); ms != nil {
			out = append(out, ms)
		}
	}
	return out
}

// A denoising run feeds noisy inputs, measures its test loss on fixed noisy
// test inputs against the clean ones, with the PSNR of both, and shows the
// noisy inputs beside the reconstructions.

// Inputs implements Measure.
func (d *denoiser) Inputs(x []float32) []float32 { return d.corrupt(x) }

// Test implements Measure.
func (d *denoiser) Test(model *ae.Model, _ Point, f *Findings) (ae.LossParts, bool) {
	l := d.evalParts(model, d.test, d.nTest)
	in, out := d.psnr(model.Reconstruct, d.test, d.nTest)
	f.metric("psnr_noisy", in)
	f.metric("psnr_denoised", out)
	return l, true
}

// Shown implements Measure.
func (d *denoiser) Shown() []float32 { return d.recNoisy }

// A run on some classes only scores every test example by its
// reconstruction error at every test point.

// Inputs implements Measure.
func (a *anomalyScorer) Inputs(x []float32) []float32 { return x }

// Test implements Measure.
func (a *anomalyScorer) Test(model *ae.Model, at Point, f *Findings) (ae.LossParts, bool) {
	f.Anomaly = a.score(model, at.Step, at.Epoch)
	return ae.LossParts{}, false
}

// Shown implements Measure.
func (a *anomalyScorer) Shown() []float32 { return nil }
