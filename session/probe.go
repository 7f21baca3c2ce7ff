package session

import (
	"fmt"
	"math"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/datasets"
)

// Sizes of the fixed example sets that the live views show. Data of at most
// cloudMaxK features (the 2-D and 3-D toy sets) gets cloudExamples
// reconstructions, which the page draws as point clouds: ten points say
// nothing about what happened to a swiss roll.
const (
	latentExamples = 1000
	reconExamples  = 10
	cloudMaxK      = 3
	cloudExamples  = 300
)

// probe renders what the model has learnt about fixed test examples: their
// latent codes (the scatter) and their reconstructions. It belongs to the
// training goroutine and reuses its buffers; the messages it returns are
// fresh copies that viewers may keep.
type probe struct {
	ds        *datasets.Dataset
	k, m      int
	latN      int // latent examples: the first latN test examples
	latLabels []int
	codes     []float32 // n×M
	prevX     []float32 // previous projected coordinates, to keep PCA signs steady
	prevY     []float32
	recX      []float32 // reconstruction examples, r×K
	recLabels []int
	recOut    []float32
}

func newProbe(ds *datasets.Dataset, m int) *probe {
	k := ds.Features
	n := min(latentExamples, ds.Test.N)
	p := &probe{ds: ds, k: k, m: m,
		latN: n, latLabels: ds.Test.Labels[:n], codes: make([]float32, n*m)}
	want := reconExamples
	if k <= cloudMaxK {
		want = min(cloudExamples, ds.Test.N)
	}
	idx := pickPerClass(ds.Test.Labels, len(ds.ClassNames), want)
	p.recX = make([]float32, len(idx)*k)
	for i, j := range idx {
		ds.Test.ReadRow(p.recX[i*k:(i+1)*k], j)
		p.recLabels = append(p.recLabels, ds.Test.Labels[j])
	}
	p.recOut = make([]float32, len(p.recX))
	return p
}

// pickPerClass chooses up to want example indices: the first example of each
// class in turn, so that every class is shown, then the following ones.
func pickPerClass(labels []int, classes, want int) []int {
	var idx []int
	taken := make(map[int]bool)
	for round := 0; len(idx) < want && round < want; round++ {
		seen := make(map[int]int)
		for i, l := range labels {
			if len(idx) >= want {
				break
			}
			if taken[i] {
				continue
			}
			if classes > 0 && l >= 0 && seen[l] >= 1 {
				continue
			}
			seen[l]++
			taken[i] = true
			idx = append(idx, i)
		}
	}
	return idx
}

// latent encodes the fixed examples and projects their codes to 2-D.
func (p *probe) latent(model *ae.Model, step int, epoch float64) (*Latent, error) {
	n := p.latN
	encodeRows(model, p.codes, p.ds.Test, n)
	l := &Latent{Step: step, Epoch: round4(epoch), Labels: p.latLabels, ClassNames: p.ds.ClassNames,
		X: make([]float32, n), Y: make([]float32, n)}
	switch {
	case p.m <= 2:
		l.Projection = "identity"
		l.Axes = [2]string{"z1", "z2"}
		if p.m == 1 {
			l.Axes[1] = "(none: 1-unit bottleneck)"
		}
		for i := 0; i < n; i++ {
			l.X[i] = p.codes[i*p.m]
			if p.m == 2 {
				l.Y[i] = p.codes[i*p.m+1]
			}
		}
	default:
		pca, err := ae.FitPCA(p.codes, n, p.m, 2)
		if err != nil {
			return nil, fmt.Errorf("project latent codes: %w", err)
		}
		xy := make([]float32, 2*n)
		pca.Project(xy, p.codes, n, 2)
		for i := 0; i < n; i++ {
			l.X[i], l.Y[i] = xy[2*i], xy[2*i+1]
		}
		evr := pca.ExplainedVarianceRatio()
		l.Projection = "pca"
		l.Axes = [2]string{
			fmt.Sprintf("PC1 (%.0f%% of variance)", 100*evr[0]),
			fmt.Sprintf("PC2 (%.0f%% of variance)", 100*evr[1]),
		}
		// A principal direction's sign is arbitrary; keep the one that
		// matches the previous frame so the picture does not flip.
		alignSign(l.X, p.prevX)
		alignSign(l.Y, p.prevY)
		p.prevX, p.prevY = l.X, l.Y
	}
	finite(l.X)
	finite(l.Y)
	// Four significant digits are finer than any screen, and make the
	// message (sent to every viewer twice a second) a third smaller.
	for i := range l.X {
		l.X[i], l.Y[i] = float32(sig4(float64(l.X[i]))), float32(sig4(float64(l.Y[i])))
	}
	return l, nil
}

func alignSign(cur, prev []float32) {
	if len(prev) != len(cur) {
		return
	}
	var dot float64
	for i := range cur {
		dot += float64(cur[i]) * float64(prev[i])
	}
	if dot < 0 {
		for i := range cur {
			cur[i] = -cur[i]
		}
	}
}

// reconstructions runs the fixed examples through the model. For a
// denoising run, noisy holds their corrupted versions: those go in, and the
// message carries them too.
func (p *probe) reconstructions(model *ae.Model, step int, epoch float64, noisy []float32) *Reconstructions {
	r := len(p.recLabels)
	in := p.recX
	if noisy != nil {
		in = noisy
	}
	model.Reconstruct(p.recOut, in, r)
	lo, hi := QuantRange(p.ds.ValueRange, p.recOut)
	msg := &Reconstructions{Step: step, Epoch: round4(epoch), Kind: "vector", Width: p.k, Height: 1,
		Count: r, Labels: p.recLabels, Lo: lo, Hi: hi,
		Originals: quantise(p.recX, lo, hi), Reconstructions: quantise(p.recOut, lo, hi), MSE: make([]float64, r)}
	if noisy != nil {
		msg.Inputs = quantise(noisy, lo, hi)
	}
	if p.ds.Shape.IsImage() {
		msg.Kind, msg.Width, msg.Height = "image", p.ds.Shape.Width, p.ds.Shape.Height
	}
	for i := 0; i < r; i++ {
		var se float64
		for j := i * p.k; j < (i+1)*p.k; j++ {
			d := float64(p.recOut[j]) - float64(p.recX[j])
			se += d * d
		}
		msg.MSE[i] = sig4(se / float64(p.k))
		if math.IsNaN(msg.MSE[i]) || math.IsInf(msg.MSE[i], 0) {
			msg.MSE[i] = -1
		}
	}
	return msg
}

// finite replaces NaN and ±Inf by 0 so that a message always marshals.
func finite(v []float32) {
	for i, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			v[i] = 0
		}
	}
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// sig4 rounds x to four significant digits.
func sig4(x float64) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	p := math.Pow(10, 3-math.Floor(math.Log10(math.Abs(x))))
	return math.Round(x*p) / p
}
