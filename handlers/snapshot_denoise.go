package handlers

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"

	"github.com/aelab/aelab/analysis"
	"github.com/aelab/aelab/session"
)

// denoiseRequest is the body of POST /api/sessions/{id}/denoise.
type denoiseRequest struct {
	Kind  string   `json:"kind"`
	Level *float64 `json:"level"`
	Count int      `json:"count"`
	Seed  uint64   `json:"seed"`
}

func (q *denoiseRequest) check() error {
	if q.Kind == "" {
		return &session.Error{Code: session.EInvalid, Field: "kind",
			Message: fmt.Sprintf(`"kind" is missing: choose one of %s`, strings.Join(analysis.NoiseKinds(), ", "))}
	}
	if q.Level == nil {
		return &session.Error{Code: session.EInvalid, Field: "level", Message: `"level" is missing: the σ of gaussian noise, or the fraction of values hit`}
	}
	if q.Count == 0 {
		q.Count = 10
	}
	if q.Count < 1 || q.Count > maxDenoiseCount {
		return &session.Error{Code: session.EInvalid, Field: "count",
			Message: fmt.Sprintf("count = %d: it must be from 1 to %d", q.Count, maxDenoiseCount)}
	}
	return nil
}

// noiseBody names a corruption.
type noiseBody struct {
	Kind  string  `json:"kind"`
	Level float64 `json:"level"`
}

// denoisedBody is the answer of denoise: three sets of the same examples
// (quantised over one shared lo–hi), and how close each is to the clean one.
type denoisedBody struct {
	Step         int        `json:"step"`
	Noise        noiseBody  `json:"noise"`
	TrainedNoise *noiseBody `json:"trained_noise"` // the session's training noise (null: a plain autoencoder)
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

// handleDenoise corrupts the fixed reconstruction examples with a noise of
// the client's choice (the same noise for the same seed, every time) and
// runs the noisy versions through the model.
func handleDenoise(m *session.Manager, log *slog.Logger, mr *modelRunner) http.Handler {
	return serveJSON(mr, m, log, `"kind", "level", "count" and "seed"`, func(md model, q *denoiseRequest) (any, error) {
		ds := md.ds
		noise := analysis.Noise{Kind: q.Kind, Level: *q.Level, Lo: ds.ValueRange[0], Hi: ds.ValueRange[1]}
		if err := noise.Validate(); err != nil {
			field := "level"
			if !strings.Contains(err.Error(), q.Kind+" noise") {
				field = "kind"
			}
			msg := strings.TrimPrefix(err.Error(), analysis.ErrInvalidInput.Error()+": ")
			if !errors.Is(err, analysis.ErrInvalidInput) {
				return nil, err
			}
			return nil, &session.Error{Code: session.EInvalid, Field: field, Message: msg}
		}
		idx := session.ReconExamples(ds, q.Count)
		clean, labels := testRows(ds, idx)
		n, k := len(idx), ds.Features
		noisy := make([]float32, len(clean))
		noise.Apply(noisy, clean, rand.New(rand.NewPCG(q.Seed, 0x6465_6e6f_6973_65)))
		out := make([]float32, len(clean))
		md.snap.Reconstruct(out, noisy, n)

		lo, hi := session.QuantRange(ds.ValueRange, out)
		peak := float64(ds.ValueRange[1] - ds.ValueRange[0])
		b := denoisedBody{Step: md.snap.Steps(), Noise: noiseBody{Kind: q.Kind, Level: *q.Level},
			Kind: "vector", Width: k, Height: 1, Count: n, Indices: idx, Labels: labels, Lo: lo, Hi: hi,
			Noisy: session.AppendQuantised(nil, noisy, lo, hi), Clean: session.AppendQuantised(nil, clean, lo, hi),
			Denoised: session.AppendQuantised(nil, out, lo, hi), PSNRNoisy: make([]float64, n), PSNRDenoised: make([]float64, n)}
		if ds.Shape.IsImage() {
			b.Kind, b.Width, b.Height = "image", ds.Shape.Width, ds.Shape.Height
		}
		if c := md.s.Config().Noise; c != nil && c.Kind != "" && c.Kind != analysis.NoiseNone && c.Level > 0 {
			b.TrainedNoise = &noiseBody{Kind: c.Kind, Level: c.Level}
		}
		for i := range n {
			row := clean[i*k : (i+1)*k]
			b.PSNRNoisy[i] = capDB(analysis.PSNR(noisy[i*k:(i+1)*k], row, peak))
			b.PSNRDenoised[i] = capDB(analysis.PSNR(out[i*k:(i+1)*k], row, peak))
			b.MeanNoisy += b.PSNRNoisy[i] / float64(n)
			b.MeanDenoised += b.PSNRDenoised[i] / float64(n)
		}
		b.MeanNoisy, b.MeanDenoised = capDB(b.MeanNoisy), capDB(b.MeanDenoised)
		return b, nil
	})
}

// capDB keeps identical examples (infinite PSNR) and a diverged model (NaN)
// representable in JSON, as the metrics messages do: at most 99 dB, rounded
// to 0.01 dB.
func capDB(v float64) float64 {
	switch {
	case math.IsNaN(v):
		return 0
	case v > 99:
		return 99
	}
	return math.Round(v*100) / 100
}
