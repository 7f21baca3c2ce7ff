// Describing a configuration for display: parameter counts, the summary
// of a validated config and its layer widths as an arrow.

package session

import (
	"strconv"
	"strings"

	"github.com/aelab/aelab/ae"
)

// ParamCount is the number of weights and biases of the model c describes
// for k input features, its convolutions included (a VAE's code layer
// outputs a mean and a variance per unit, so it has twice the outputs).
func (c Config) ParamCount(k int) int { return aeConfig(c, k).NumParams() }

// ParamCount is the number of weights and biases of a dense network with
// the given layer widths.
func ParamCount(sizes []int) int {
	p := 0
	for i := 0; i+1 < len(sizes); i++ {
		p += (sizes[i] + 1) * sizes[i+1]
	}
	return p
}

// Summary describes a validated configuration for display.
type Summary struct {
	Sizes      []int   `json:"sizes"`
	Features   int     `json:"features"`
	Bottleneck int     `json:"bottleneck"`
	Ratio      float64 `json:"ratio"` // K/M
	Params     int     `json:"params"`
	// Conv lists the convolutional layers before the dense ones (none for
	// a dense autoencoder).
	Conv []ae.ConvLayer `json:"conv,omitempty"`
}

// Summarize describes c for a dataset of k features.
func Summarize(c Config, k int) Summary {
	s := Summary{Sizes: c.Sizes(k), Features: k, Bottleneck: c.Bottleneck, Params: c.ParamCount(k), Conv: c.Conv}
	if c.Bottleneck > 0 {
		s.Ratio = float64(k) / float64(c.Bottleneck)
	}
	return s
}

// Arrow renders layer widths as "784 → 256 → 50 → 256 → 784".
func Arrow(sizes []int) string {
	parts := make([]string, len(sizes))
	for i, s := range sizes {
		parts[i] = strconv.Itoa(s)
	}
	return strings.Join(parts, " → ")
}

func groupDigits(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
