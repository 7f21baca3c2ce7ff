package analysis

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// distBlock is the number of query rows whose distances to every reference
// row are computed at a time: it bounds the scratch memory of k-NN and
// k-means to distBlock × (reference rows) float32s.
const distBlock = 256

// sqNorms writes the squared Euclidean norm ‖xᵢ‖² of each of the n rows of x
// (n×d) to dst (length n).
func sqNorms(dst, x []float32, n, d int) {
	checkLen("sqNorms", "x", x, n, d)
	checkLen("sqNorms", "dst", dst, n, 1)
	for i := range dst {
		var s float32
		for _, v := range x[i*d : (i+1)*d] {
			s += v * v
		}
		dst[i] = s
	}
}

// sqDists writes to dst (na×nb, row-major) the squared Euclidean distances
// between the rows of a (na×d) and the rows of b (nb×d), given their squared
// norms aNorms and bNorms. It uses ‖a−b‖² = ‖a‖² + ‖b‖² − 2·a·b, so that all
// the work is in one single-precision matrix product a·bᵀ (blas32.Gemm),
// which is several times faster than subtracting row by row. Rounding can
// make a distance slightly negative when two rows (almost) coincide; it is
// clamped at 0. The cancellation also costs precision for rows far from the
// origin relative to their distances, which is harmless for ranking
// neighbours of inputs and latent codes of moderate size.
func sqDists(dst, a, aNorms []float32, na int, b, bNorms []float32, nb, d int) {
	checkLen("sqDists", "a", a, na, d)
	checkLen("sqDists", "b", b, nb, d)
	checkLen("sqDists", "aNorms", aNorms, na, 1)
	checkLen("sqDists", "bNorms", bNorms, nb, 1)
	checkLen("sqDists", "dst", dst, na, nb)
	if na == 0 || nb == 0 {
		return
	}
	blas32.Gemm(blas.NoTrans, blas.Trans, -2,
		blas32.General{Rows: na, Cols: d, Stride: d, Data: a},
		blas32.General{Rows: nb, Cols: d, Stride: d, Data: b},
		0, blas32.General{Rows: na, Cols: nb, Stride: nb, Data: dst})
	for i, an := range aNorms {
		row := dst[i*nb : (i+1)*nb]
		for j, bn := range bNorms {
			row[j] = max(row[j]+an+bn, 0)
		}
	}
}
