package handlers

import (
	"fmt"
	"log/slog"
	"math"
	"net/http"

	"github.com/aelab/aelab/analysis"
	"github.com/aelab/aelab/session"
)

// compressionBody is the answer of GET /api/sessions/{id}/compression: the
// storage cost of one example as pixels, as a float32 code and as a
// quantised code, and the reconstruction quality of both codes over the
// latent examples (the first 1,000 test examples).
type compressionBody struct {
	Step     int `json:"step"`
	Features int `json:"features"` // K
	Latent   int `json:"latent"`   // M
	Bits     int `json:"bits"`     // bits per quantised latent value
	Examples int `json:"examples"` // test examples measured
	// BitsPerExample: K·8 (pixels), M·32 (float32 code), M·bits (quantised).
	BitsPerExample compressionBits `json:"bits_per_example"`
	// Ratio: input bits over code bits, for each kind of code.
	Ratio struct {
		Float32   float64 `json:"float32"`
		Quantized float64 `json:"quantized"`
	} `json:"ratio"`
	// RangeBits is the side information of the quantised codes: each unit's
	// lowest and highest value as float32s, stored once for the whole batch.
	RangeBits int            `json:"range_bits"`
	Float32   codeQuality    `json:"float32"`
	Quantized codeQuality    `json:"quantized"`
	Example   compressionPic `json:"example"`
}

type compressionBits struct {
	Input     int `json:"input"`
	Float32   int `json:"float32"`
	Quantized int `json:"quantized"`
}

// codeQuality is how close the decodings of one kind of code are to the
// originals: the MSE over every value, and the mean over examples of each
// one's PSNR (dB, peak = the width of the dataset's value range, at most 99).
type codeQuality struct {
	MSE  float64 `json:"mse"`
	PSNR float64 `json:"psnr"`
}

// compressionPic is one test example three times over: the original, its
// decoding from the float32 code and from the quantised code (in that
// order; count 3), quantised for display like the other snapshot answers.
type compressionPic struct {
	Index int `json:"index"`
	Label int `json:"label"`
	imagesBody
}

// handleCompression encodes the latent examples, quantises their codes to
// ?bits= bits per value (default 8, 1 to 16; each unit over its own range in
// the batch, analysis.QuantizeLatent), decodes both the float32 and the
// quantised codes and measures them against the originals. ?example= (a
// latent example, default 0) picks the example whose three versions come
// back as pictures.
func handleCompression(m *session.Manager, log *slog.Logger, mr *modelRunner) http.Handler {
	return mr.serve(m, log, func(r *http.Request, md model) (any, error) {
		q := r.URL.Query()
		bits, err := queryInt(q.Get("bits"), "bits", 8, 1, analysis.MaxQuantBits)
		if err != nil {
			return nil, err
		}
		codes, n := mr.cache.codes(md)
		ex, err := queryInt(q.Get("example"), "example", 0, 0, 1<<30)
		if err != nil {
			return nil, err
		}
		if ex >= n {
			return nil, &session.Error{Code: session.EInvalid, Field: "example",
				Message: fmt.Sprintf("example = %d: pick one of the %d measured test examples, 0 to %d", ex, n, n-1)}
		}
		k, mw := md.snap.InputDim(), md.snap.LatentDim()
		x := md.ds.Test.Rows(nil, 0, n)
		quant := make([]float32, len(codes))
		lo, _ := analysis.QuantizeLatent(quant, codes, n, mw, bits)

		outF := make([]float32, n*k)
		outQ := make([]float32, n*k)
		md.snap.Decode(outF, codes, n)
		md.snap.Decode(outQ, quant, n)
		peak := float64(md.ds.ValueRange[1] - md.ds.ValueRange[0])
		if !(peak > 0) {
			peak = 1
		}
		c := analysis.CompressionOf(k, mw, bits)
		b := compressionBody{Step: md.snap.Steps(), Features: k, Latent: mw, Bits: bits, Examples: n,
			BitsPerExample: compressionBits{Input: c.InputBits, Float32: c.LatentBits, Quantized: c.QuantizedBits},
			RangeBits:      2 * len(lo) * analysis.Float32Bits,
			Float32:        codeQuality{MSE: finite(analysis.MSE(x, outF)), PSNR: capDB(analysis.MeanPSNR(x, outF, n, k, peak))},
			Quantized:      codeQuality{MSE: finite(analysis.MSE(x, outQ)), PSNR: capDB(analysis.MeanPSNR(x, outQ, n, k, peak))},
		}
		b.Ratio.Float32, b.Ratio.Quantized = c.LatentRatio(), c.QuantizedRatio()

		pic := make([]float32, 0, 3*k)
		pic = append(pic, x[ex*k:(ex+1)*k]...)
		pic = append(pic, outF[ex*k:(ex+1)*k]...)
		pic = append(pic, outQ[ex*k:(ex+1)*k]...)
		plo, phi := session.QuantRange(md.ds.ValueRange, pic)
		label := -1
		if ex < len(md.ds.Test.Labels) {
			label = md.ds.Test.Labels[ex]
		}
		b.Example = compressionPic{Index: ex, Label: label, imagesBody: newImages(md.ds, pic, 3, plo, phi)}
		return b, nil
	})
}

// finite keeps a diverged model's error (NaN, ±Inf) representable in JSON:
// it reads as -1, which no real error is.
func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return -1
	}
	return v
}
