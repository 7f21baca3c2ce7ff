package datasets

import (
	"math"
	"math/rand/v2"
)

// Sine waves with anomalies: each example is a short time series. Most are
// clean sine waves; a few have a defect injected. An autoencoder trained on
// them reconstructs normal waves well and anomalies badly, which is how
// autoencoders detect anomalies.

const (
	sineLen          = 64   // samples per example
	sineAnomalyRate  = 0.05 // fraction of examples with an injected anomaly
	sineNoise        = 0.03 // measurement noise on every sample
	sineSpikeLo      = 1.2  // spikes jump to ±[sineSpikeLo, sineSpikeHi],
	sineSpikeHi      = 1.6  // beyond any normal wave (amplitude ≤ 1)
	sineBurstStd     = 0.4  // noise bursts add this much Gaussian noise…
	sineBurstClip    = 1.6  // …clipped to ±sineBurstClip
	sineMinFrequency = 2.0  // cycles per example
	sineMaxFrequency = 5.0
)

// Kinds of injected anomaly.
const (
	anomalySpike = iota // one or two samples jump far beyond the wave
	anomalyFlat         // a segment freezes at one value (a stuck sensor)
	anomalyBurst        // a segment becomes very noisy
	anomalyKinds
)

var sineWavesSpec = &toySpec{
	name:  "sine_waves",
	title: "Sine waves with anomalies (time series)",
	description: "Time series of 64 samples: sine waves of random frequency, phase and amplitude. " +
		"About 1 in 20 has an anomaly (a spike, a flat stretch or a burst of noise) — can the " +
		"autoencoder's reconstruction error find them? Scaled to [0,1] by one min and max over all samples.",
	features:   sineLen,
	classNames: []string{"normal", "anomaly"},
	scale:      global,
	sampler: func(rng *rand.Rand) func(x []float32) int {
		return func(x []float32) int {
			f := sineMinFrequency + (sineMaxFrequency-sineMinFrequency)*rng.Float64()
			phase := 2 * math.Pi * rng.Float64()
			amp := 0.5 + 0.5*rng.Float64()
			for i := range x {
				t := float64(i) / sineLen
				x[i] = float32(amp*math.Sin(2*math.Pi*f*t+phase) + sineNoise*rng.NormFloat64())
			}
			if rng.Float64() >= sineAnomalyRate {
				return 0
			}
			injectAnomaly(rng, x, rng.IntN(anomalyKinds))
			return 1
		}
	},
}

// injectAnomaly damages the series x with an anomaly of the given kind.
func injectAnomaly(rng *rand.Rand, x []float32, kind int) {
	n := len(x)
	switch kind {
	case anomalySpike:
		for range 1 + rng.IntN(2) {
			v := sineSpikeLo + (sineSpikeHi-sineSpikeLo)*rng.Float64()
			if rng.IntN(2) == 0 {
				v = -v
			}
			x[rng.IntN(n)] = float32(v)
		}
	case anomalyFlat:
		length := 12 + rng.IntN(9)
		start := rng.IntN(n - length + 1)
		for i := start + 1; i < start+length; i++ {
			x[i] = x[start]
		}
	case anomalyBurst:
		length := 8 + rng.IntN(9)
		start := rng.IntN(n - length + 1)
		for i := start; i < start+length; i++ {
			v := float64(x[i]) + sineBurstStd*rng.NormFloat64()
			x[i] = float32(math.Max(-sineBurstClip, math.Min(sineBurstClip, v)))
		}
	}
}
