package analysis

import "math"

// Bit widths of the representations compared by the compression lab.
const (
	PixelBits    = 8  // one input value stored as a byte (0–255), as in MNIST files
	Float32Bits  = 32 // one latent value stored as a float32
	MaxQuantBits = 16 // the widest quantisation QuantizeLatent accepts
)

// Compression is the storage cost of one example in three forms: its K
// inputs as 8-bit values, its M latent values as float32s, and its M latent
// values quantised to QuantBits bits each. The decoder is not counted: it is
// shared by every example, like the codebook of a compression format.
type Compression struct {
	InputBits     int // K × PixelBits
	LatentBits    int // M × Float32Bits
	QuantizedBits int // M × QuantBits
	QuantBits     int // bits per quantised latent value
}

// CompressionOf returns the storage cost of an example of k inputs with a
// latent code of m values quantised to quantBits bits. For MNIST (k = 784)
// and m = 50: 6272 bits of pixels, 1600 bits of float32 code (3.92× smaller)
// and 400 bits of 8-bit code (15.68× smaller). It panics unless k, m ≥ 1 and
// 1 ≤ quantBits ≤ MaxQuantBits.
func CompressionOf(k, m, quantBits int) Compression {
	if k < 1 || m < 1 {
		panicf("CompressionOf: k = %d inputs, m = %d latents; want both ≥ 1", k, m)
	}
	checkQuantBits("CompressionOf", quantBits)
	return Compression{
		InputBits:     k * PixelBits,
		LatentBits:    m * Float32Bits,
		QuantizedBits: m * quantBits,
		QuantBits:     quantBits,
	}
}

// LatentRatio returns how many times smaller the float32 code is than the
// input: InputBits / LatentBits. Below 1 the "compression" expands the data.
func (c Compression) LatentRatio() float64 {
	return float64(c.InputBits) / float64(c.LatentBits)
}

// QuantizedRatio returns how many times smaller the quantised code is than
// the input: InputBits / QuantizedBits.
func (c Compression) QuantizedRatio() float64 {
	return float64(c.InputBits) / float64(c.QuantizedBits)
}

// QuantizeLatent quantises the n latent codes z (n×m, row-major) to bits
// bits per value and writes the values they stand for to dst (n×m; dst may
// be z), ready to be decoded: this shows what the quantised code loses.
// Each latent unit j is quantised uniformly over its own range in the batch,
// [lo[j], hi[j]], into 2^bits levels; every value moves by at most half a
// step, (hi[j]−lo[j])/(2·(2^bits−1)), and the extremes are kept exactly.
// Storing the ranges costs 2·m float32s once per batch, not per example. A
// unit that is constant over the batch is kept as is. It panics on shape
// misuse, if m < 1, or unless 1 ≤ bits ≤ MaxQuantBits.
func QuantizeLatent(dst, z []float32, n, m, bits int) (lo, hi []float32) {
	if m < 1 {
		panicf("QuantizeLatent: m = %d; want m ≥ 1", m)
	}
	checkLen("QuantizeLatent", "z", z, n, m)
	checkLen("QuantizeLatent", "dst", dst, n, m)
	checkQuantBits("QuantizeLatent", bits)
	lo, hi = make([]float32, m), make([]float32, m)
	if n == 0 {
		return lo, hi
	}
	copy(lo, z[:m])
	copy(hi, z[:m])
	for i := 1; i < n; i++ {
		for j, v := range z[i*m : (i+1)*m] {
			lo[j], hi[j] = min(lo[j], v), max(hi[j], v)
		}
	}
	levels := float64(int(1)<<bits - 1)
	for i := 0; i < n; i++ {
		row := z[i*m : (i+1)*m]
		out := dst[i*m : (i+1)*m]
		for j, v := range row {
			l, width := float64(lo[j]), float64(hi[j])-float64(lo[j])
			if width == 0 {
				out[j] = v
				continue
			}
			q := math.Round((float64(v) - l) / width * levels)
			out[j] = float32(l + width*q/levels)
		}
	}
	return lo, hi
}

// checkQuantBits panics unless 1 ≤ bits ≤ MaxQuantBits.
func checkQuantBits(op string, bits int) {
	if bits < 1 || bits > MaxQuantBits {
		panicf("%s: %d bits per latent value; want 1 to %d", op, bits, MaxQuantBits)
	}
}
