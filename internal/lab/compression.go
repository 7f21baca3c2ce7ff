package lab

import (
	"fmt"

	"github.com/aelab/aelab/analysis"
	"github.com/aelab/aelab/session"
)

// Compression is the answer of GET /api/sessions/{id}/compression: the
// storage cost of one example as pixels, as a float32 code and as a
// quantised code, and the reconstruction quality of both codes over the
// latent examples (the first 1,000 test examples).
type Compression struct {
	Step     int `json:"step"`
	Features int `json:"features"` // K
	Latent   int `json:"latent"`   // M
	Bits     int `json:"bits"`     // bits per quantised latent value
	Examples int `json:"examples"` // test examples measured
	// BitsPerExample: K·8 (pixels), M·32 (float32 code), M·bits (quantised).
	BitsPerExample CompressionBits `json:"bits_per_example"`
	// Ratio: input bits over code bits, for each kind of code.
	Ratio struct {
		Float32   float64 `json:"float32"`
		Quantized float64 `json:"quantized"`
	} `json:"ratio"`
	// RangeBits is the side information of the quantised codes: each unit's
	// lowest and highest value as float32s, stored once for the whole batch.
	RangeBits int            `json:"range_bits"`
	Float32   CodeQuality    `json:"float32"`
	Quantized CodeQuality    `json:"quantized"`
	Example   CompressionPic `json:"example"`
}

// CompressionBits is the storage cost of one example, in bits.
type CompressionBits struct {
	Input     int `json:"input"`
	Float32   int `json:"float32"`
	Quantized int `json:"quantized"`
}

// CodeQuality is how close the decodings of one kind of code are to the
// originals: the MSE over every value, and the mean over examples of each
// one's PSNR (dB, peak = the width of the dataset's value range, at most 99).
type CodeQuality struct {
	MSE  float64 `json:"mse"`
	PSNR float64 `json:"psnr"`
}

// CompressionPic is one test example three times over: the original, its
// decoding from the float32 code and from the quantised code (in that
// order; count 3), quantised for display like the other snapshot answers.
type CompressionPic struct {
	Index int `json:"index"`
	Label int `json:"label"`
	Images
}

// Compression encodes the latent examples, quantises their codes to bits
// bits per value (each unit over its own range in the batch,
// analysis.QuantizeLatent), decodes both the float32 and the quantised
// codes and measures them against the originals. Latent example ex (field
// "example") comes back as pictures.
func (rn *Runner) Compression(md Model, bits, ex int) (Compression, error) {
	codes, n := rn.Codes(md)
	if ex >= n {
		return Compression{}, &session.Error{Code: session.EInvalid, Field: "example",
			Message: fmt.Sprintf("example = %d: pick one of the %d measured test examples, 0 to %d", ex, n, n-1)}
	}
	k, mw := md.Snap.InputDim(), md.Snap.LatentDim()
	x := md.DS.Test.Rows(nil, 0, n)
	quant := make([]float32, len(codes))
	lo, _ := analysis.QuantizeLatent(quant, codes, n, mw, bits)

	outF := make([]float32, n*k)
	outQ := make([]float32, n*k)
	md.Snap.Decode(outF, codes, n)
	md.Snap.Decode(outQ, quant, n)
	peak := float64(md.DS.ValueRange[1] - md.DS.ValueRange[0])
	if !(peak > 0) {
		peak = 1
	}
	c := analysis.CompressionOf(k, mw, bits)
	b := Compression{Step: md.Snap.Steps(), Features: k, Latent: mw, Bits: bits, Examples: n,
		BitsPerExample: CompressionBits{Input: c.InputBits, Float32: c.LatentBits, Quantized: c.QuantizedBits},
		RangeBits:      2 * len(lo) * analysis.Float32Bits,
		Float32:        CodeQuality{MSE: Finite(analysis.MSE(x, outF)), PSNR: CapDB(analysis.MeanPSNR(x, outF, n, k, peak))},
		Quantized:      CodeQuality{MSE: Finite(analysis.MSE(x, outQ)), PSNR: CapDB(analysis.MeanPSNR(x, outQ, n, k, peak))},
	}
	b.Ratio.Float32, b.Ratio.Quantized = c.LatentRatio(), c.QuantizedRatio()

	pic := make([]float32, 0, 3*k)
	pic = append(pic, x[ex*k:(ex+1)*k]...)
	pic = append(pic, outF[ex*k:(ex+1)*k]...)
	pic = append(pic, outQ[ex*k:(ex+1)*k]...)
	label := -1
	if ex < len(md.DS.Test.Labels) {
		label = md.DS.Test.Labels[ex]
	}
	b.Example = CompressionPic{Index: ex, Label: label, Images: imagesOf(md.DS, pic, 3)}
	return b, nil
}
