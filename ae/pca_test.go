package ae

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// svdOfCentred returns the singular values and left vectors scaled by them
// (the principal scores) of the centred data, computed directly with mat.SVD.
func svdOfCentred(x []float32, n, d int) (sv []float64, scores *mat.Dense) {
	c := mat.NewDense(n, d, to64(x))
	for j := 0; j < d; j++ {
		m := 0.0
		for i := 0; i < n; i++ {
			m += c.At(i, j)
		}
		m /= float64(n)
		for i := 0; i < n; i++ {
			c.Set(i, j, c.At(i, j)-m)
		}
	}
	var svd mat.SVD
	if !svd.Factorize(c, mat.SVDThin) {
		panic("SVD failed")
	}
	sv = svd.Values(nil)
	var u mat.Dense
	svd.UTo(&u)
	for j, s := range sv {
		for i := 0; i < n; i++ {
			u.Set(i, j, u.At(i, j)*s)
		}
	}
	return sv, &u
}

func TestPCA(t *testing.T) {
	const n, d = 300, 10
	x := lowRankData(1, n, d, 3, 0.1)
	p, err := FitPCA(x, n, d, d)
	if err != nil {
		t.Fatal(err)
	}
	sv, scores := svdOfCentred(x, n, d)
	total := 0.0
	for _, s := range sv {
		total += s * s
	}
	// MSE(k) = Σ_{i≥k} σᵢ² / (n·d) (Eckart–Young), decreasing, 0 at k = d.
	prev := math.Inf(1)
	for k := 0; k <= d; k++ {
		tail := 0.0
		for _, s := range sv[k:] {
			tail += s * s
		}
		want := tail / (n * d)
		got := p.ReconstructionMSE(x, n, k)
		if math.Abs(got-want) > 1e-9*total/(n*d) {
			t.Errorf("k = %d: ReconstructionMSE = %.12g; SVD gives %.12g", k, got, want)
		}
		if k > 0 && !(got < prev) {
			t.Errorf("k = %d: MSE %v not below %v at k−1", k, got, prev)
		}
		prev = got
	}
	if e := p.ReconstructionMSE(x, n, d); e > 1e-20 {
		t.Errorf("ReconstructionMSE at k = d is %v; want ~0", e)
	}
	ratio := p.ExplainedVarianceRatio()
	sum := 0.0
	for i, r := range ratio {
		sum += r
		if want := sv[i] * sv[i] / total; math.Abs(r-want) > 1e-12 {
			t.Errorf("ExplainedVarianceRatio[%d] = %v; want %v", i, r, want)
		}
	}
	if math.Abs(sum-1) > 1e-12 || ratio[0]+ratio[1]+ratio[2] < 0.9 {
		t.Errorf("ratios %v: want them to sum to 1, the first 3 (the rank-3 signal) to over 0.9", ratio)
	}
	// Scores: equal to U·Σ up to the sign of each component.
	const k = 4
	dst := make([]float32, n*k)
	p.Project(dst, x, n, k)
	for j := 0; j < k; j++ {
		sign := math.Copysign(1, float64(dst[j])*scores.At(0, j))
		for i := 0; i < n; i++ {
			if math.Abs(float64(dst[i*k+j])-sign*scores.At(i, j)) > 1e-5*(1+math.Abs(scores.At(i, j))) {
				t.Fatalf("score [%d,%d] = %v; want %v", i, j, dst[i*k+j], sign*scores.At(i, j))
			}
		}
	}
}

func TestPCAFewRowsAndErrors(t *testing.T) {
	x := lowRankData(2, 5, 8, 2, 0.5)
	p, err := FitPCA(x, 5, 8, 5)
	if err != nil {
		t.Fatal(err)
	}
	// 5 centred rows span at most 4 dimensions.
	if e := p.ReconstructionMSE(x, 5, 4); e > 1e-12 {
		t.Errorf("5 rows, 4 components: MSE %v; want ~0", e)
	}
	if p.NumComponents() != 5 {
		t.Errorf("NumComponents = %d", p.NumComponents())
	}
	for _, tc := range []struct{ n, d, k int }{{5, 8, 6}, {5, 8, 0}, {1, 40, 1}} {
		if _, err := FitPCA(x[:tc.n*tc.d], tc.n, tc.d, tc.k); err == nil {
			t.Errorf("FitPCA(n=%d, d=%d, k=%d) succeeded; want an error", tc.n, tc.d, tc.k)
		}
	}
	mustPanic(t, "len(x)", func() { FitPCA(x, 6, 8, 2) })
	mustPanic(t, "k = 6", func() { p.ReconstructionMSE(x, 5, 6) })
	mustPanic(t, "len(dst)", func() { p.Project(make([]float32, 3), x, 5, 2) })
}
