package ae

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// PCA is principal component analysis, the classical baseline of a linear
// autoencoder: a linear autoencoder with an M-unit bottleneck trained with
// MSE can at best match the reconstruction error of the first M principal
// components (Eckart–Young), and it does when trained to convergence.
type PCA struct {
	d     int
	mean  []float64  // column means, added back on reconstruction
	vecs  *mat.Dense // d×k: the principal directions, as orthonormal columns
	ratio []float64  // explained variance ratio of each kept component
}

// pcaChunk is the number of rows Project and ReconstructionMSE process at a
// time, which bounds their temporary memory.
const pcaChunk = 1024

// FitPCA computes the first k principal components of the n×d row-major
// data x with gonum's stat.PC (a thin SVD of the centred data in float64).
// Memory is about 3·n·d float64s, so fit a sample of a large data set. It
// returns an error if n < 2 or k is not in [1, min(n, d)], or if the SVD
// fails, and panics if len(x) ≠ n×d.
func FitPCA(x []float32, n, d, k int) (*PCA, error) {
	if n < 2 || d < 1 {
		return nil, fmt.Errorf("ae: PCA needs at least 2 rows and 1 column, got %d×%d", n, d)
	}
	checkLen("FitPCA", "x", x, n, d)
	if k < 1 || k > min(n, d) {
		return nil, fmt.Errorf("ae: PCA of %d×%d data: k = %d components; want 1 ≤ k ≤ %d", n, d, k, min(n, d))
	}
	data := mat.NewDense(n, d, nil)
	mean := make([]float64, d)
	for i := 0; i < n; i++ {
		row := data.RawRowView(i)
		for j, v := range x[i*d : (i+1)*d] {
			row[j] = float64(v)
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	var pc stat.PC
	if !pc.PrincipalComponents(data, nil) {
		return nil, fmt.Errorf("ae: PCA of %d×%d data: SVD failed", n, d)
	}
	var vecs mat.Dense
	pc.VectorsTo(&vecs)
	vars := pc.VarsTo(nil)
	total := 0.0
	for _, v := range vars {
		total += v
	}
	ratio := make([]float64, k)
	if total > 0 {
		for i := range ratio {
			ratio[i] = vars[i] / total
		}
	}
	return &PCA{d: d, mean: mean, vecs: mat.DenseCopyOf(vecs.Slice(0, d, 0, k)), ratio: ratio}, nil
}

// NumComponents returns the number of components that were fitted.
func (p *PCA) NumComponents() int { return len(p.ratio) }

// ExplainedVarianceRatio returns, for each fitted component, the fraction
// of the total variance of the data along it (in decreasing order).
func (p *PCA) ExplainedVarianceRatio() []float64 { return append([]float64(nil), p.ratio...) }

// Project writes to dst (n×k) the scores of the n rows of x (n×d) on the
// first k components: (x − mean)·V_k. It panics on shape misuse or if k
// exceeds NumComponents.
func (p *PCA) Project(dst, x []float32, n, k int) {
	p.check("Project", x, n, k)
	checkLen("PCA.Project", "dst", dst, n, k)
	p.chunks(x, n, k, func(r int, _, scores *mat.Dense) {
		rows, _ := scores.Dims()
		for i := 0; i < rows; i++ {
			for j, v := range scores.RawRowView(i) {
				dst[(r+i)*k+j] = float32(v)
			}
		}
	})
}

// ReconstructionMSE returns the mean over all n×d elements of the squared
// error of reconstructing x from its first k ≤ NumComponents scores,
// x̂ = mean + (x − mean)·V_k·V_kᵀ. With k = 0 it is the error of predicting
// the mean. It panics on shape misuse.
func (p *PCA) ReconstructionMSE(x []float32, n, k int) float64 {
	p.check("ReconstructionMSE", x, n, k)
	var sum float64
	var recon mat.Dense
	p.chunks(x, n, k, func(_ int, centred, scores *mat.Dense) {
		rows, _ := centred.Dims()
		if k == 0 {
			recon.ReuseAs(rows, p.d) // zero: the centred reconstruction is 0
		} else {
			recon.Mul(scores, p.vecs.Slice(0, p.d, 0, k).T())
		}
		for i := 0; i < rows; i++ {
			rr := recon.RawRowView(i)
			for j, v := range centred.RawRowView(i) {
				e := v - rr[j]
				sum += e * e
			}
		}
		recon.Reset()
	})
	return sum / float64(n*p.d)
}

// check panics unless x is n×d and 0 ≤ k ≤ NumComponents.
func (p *PCA) check(op string, x []float32, n, k int) {
	if n < 0 || k < 0 || k > len(p.ratio) {
		panicf("PCA.%s: n = %d, k = %d; want n ≥ 0 and 0 ≤ k ≤ %d", op, n, k, len(p.ratio))
	}
	checkLen("PCA."+op, "x", x, n, p.d)
}

// chunks centres x pcaChunk rows at a time and calls f with the first row
// index, the centred rows and their scores on the first k components.
func (p *PCA) chunks(x []float32, n, k int, f func(r int, centred, scores *mat.Dense)) {
	for r := 0; r < n; r += pcaChunk {
		c := min(pcaChunk, n-r)
		centred := mat.NewDense(c, p.d, nil)
		for i := 0; i < c; i++ {
			row := centred.RawRowView(i)
			for j, v := range x[(r+i)*p.d : (r+i+1)*p.d] {
				row[j] = float64(v) - p.mean[j]
			}
		}
		var scores mat.Dense
		if k > 0 {
			scores.Mul(centred, p.vecs.Slice(0, p.d, 0, k))
		}
		f(r, centred, &scores)
	}
}
