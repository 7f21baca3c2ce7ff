package lab

import (
	"errors"
	"math/rand/v2"
	"strings"

	"github.com/aelab/aelab/analysis"
	"github.com/aelab/aelab/session"
)

// NoiseKind names a corruption.
type NoiseKind struct {
	Kind  string  `json:"kind"`
	Level float64 `json:"level"`
}

// Denoised is the answer of denoise: three sets of the same examples
// (quantised over one shared lo–hi), and how close each is to the clean one.
type Denoised struct {
	Step         int        `json:"step"`
	Noise        NoiseKind  `json:"noise"`
	TrainedNoise *NoiseKind `json:"trained_noise"` // the session's training noise (null: a plain autoencoder)
	Kind         string     `json:"kind"`
	Width        int        `json:"width"`
	Height       int        `json:"height"`
	Count        int        `json:"count"`
	Indices      []int      `json:"indices"` // test indices of the examples
	Labels       []int      `json:"labels"`
	Lo           float32    `json:"lo"`
	Hi           float32    `json:"hi"`
	Noisy        []byte     `json:"noisy"`
	Clean        []byte     `json:"clean"`
	Denoised     []byte     `json:"denoised"`
	PSNRNoisy    []float64  `json:"psnr_noisy"`    // per example, dB, capped at 99
	PSNRDenoised []float64  `json:"psnr_denoised"` // per example, dB, capped at 99
	MeanNoisy    float64    `json:"mean_psnr_noisy"`
	MeanDenoised float64    `json:"mean_psnr_denoised"`
}

// Denoise corrupts count of the fixed reconstruction examples with the
// noise kind at level (the same noise for the same seed, every time) and
// runs the noisy versions through the model. A noise the analysis package
// refuses is an error naming "kind" or "level".
func Denoise(md Model, kind string, level float64, count int, seed uint64) (Denoised, error) {
	ds := md.DS
	noise := analysis.Noise{Kind: kind, Level: level, Lo: ds.ValueRange[0], Hi: ds.ValueRange[1]}
	if err := noise.Validate(); err != nil {
		field := "level"
		if !strings.Contains(err.Error(), kind+" noise") {
			field = "kind"
		}
		if !errors.Is(err, analysis.ErrInvalidInput) {
			return Denoised{}, err
		}
		return Denoised{}, &session.Error{Code: session.EInvalid, Field: field, Message: err.Error()}
	}
	idx := session.ReconExamples(ds, count)
	clean, labels := TestRows(ds, idx)
	n, k := len(idx), ds.Features
	noisy := make([]float32, len(clean))
	noise.Apply(noisy, clean, rand.New(rand.NewPCG(seed, 0x6465_6e6f_6973_65)))
	out := make([]float32, len(clean))
	md.Snap.Reconstruct(out, noisy, n)

	lo, hi := session.QuantRange(ds.ValueRange, out)
	peak := float64(ds.ValueRange[1] - ds.ValueRange[0])
	b := Denoised{Step: md.Snap.Steps(), Noise: NoiseKind{Kind: kind, Level: level},
		Kind: "vector", Width: k, Height: 1, Count: n, Indices: idx, Labels: labels, Lo: lo, Hi: hi,
		Noisy: session.AppendQuantised(nil, noisy, lo, hi), Clean: session.AppendQuantised(nil, clean, lo, hi),
		Denoised: session.AppendQuantised(nil, out, lo, hi), PSNRNoisy: make([]float64, n), PSNRDenoised: make([]float64, n)}
	if ds.Shape.IsImage() {
		b.Kind, b.Width, b.Height = "image", ds.Shape.Width, ds.Shape.Height
	}
	if c := md.S.Config().Noise; c != nil && c.Kind != "" && c.Kind != analysis.NoiseNone && c.Level > 0 {
		b.TrainedNoise = &NoiseKind{Kind: c.Kind, Level: c.Level}
	}
	for i := range n {
		row := clean[i*k : (i+1)*k]
		b.PSNRNoisy[i] = CapDB(analysis.PSNR(noisy[i*k:(i+1)*k], row, peak))
		b.PSNRDenoised[i] = CapDB(analysis.PSNR(out[i*k:(i+1)*k], row, peak))
		b.MeanNoisy += b.PSNRNoisy[i] / float64(n)
		b.MeanDenoised += b.PSNRDenoised[i] / float64(n)
	}
	b.MeanNoisy, b.MeanDenoised = CapDB(b.MeanNoisy), CapDB(b.MeanDenoised)
	return b, nil
}
