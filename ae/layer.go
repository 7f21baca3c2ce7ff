package ae

import "github.com/aelab/aelab/ae/internal/gemm"

// dense is one fully connected layer followed by its activation. For a batch
// of n inputs stored as the rows of x:
//
//	z = x·W + b    x: n×in, W: in×out, b: 1×out (added to every row), z: n×out
//	a = f(z)       elementwise
//
// W is stored row-major as in×out ("inputs to outputs"), so the forward
// product and both backward products are plain GEMMs on contiguous rows,
// with the batch as the row dimension.
type dense struct {
	in, out int
	act     actKind
	w, b    []float32 // the parameters: views into Model.params
	gw, gb  []float32 // their gradients: views into Model.grads, same layout
}

// forward computes z = x·W + b and a = f(z) for the n rows of x. The bias
// and the activation are applied in the same pass over z. z is kept because
// the backward pass needs f'(z); a may be z itself (Linear layers).
func (l *dense) forward(z, a, x []float32, n, workers int) {
	z, a = z[:n*l.out], a[:n*l.out]
	gemm.Sgemm(false, false, n, l.out, l.in, 1, x, l.in, l.w, l.out, 0, z, l.out, workers)
	l.act.forward(z, a, l.b)
}

// backward receives dz = ∂L/∂z (n×out), the gradient at the pre-activation
// (the caller has already applied the activation's backward, or the fused
// loss gradient for the output layer), and the layer's input x. Since
// z = x·W + b, the chain rule gives
//
//	∂L/∂W = xᵀ·dz          (in×out, written to gw)
//	∂L/∂b = Σ_rows dz      (out,    written to gb)
//	∂L/∂x = dz·Wᵀ          (n×in,   written to dx unless dx is nil)
//
// Gradients are overwritten, not accumulated.
func (l *dense) backward(dx, dz, x []float32, n, workers int) {
	dz = dz[:n*l.out]
	gemm.Sgemm(true, false, l.in, l.out, n, 1, x, l.in, dz, l.out, 0, l.gw, l.out, workers)
	colSums(l.gb, dz)
	if dx != nil {
		gemm.Sgemm(false, true, n, l.in, l.out, 1, dz, l.out, l.w, l.out, 0, dx[:n*l.in], l.in, workers)
	}
}

// colSums sets dst[j] to the sum of column j of the row-major matrix m,
// which has len(dst) columns and at least one row, adding rows in order
// (the vector kernel addVec adds a prefix of each row, in the same order).
func colSums(dst, m []float32) {
	copy(dst, m[:len(dst)])
	for r := len(dst); r < len(m); r += len(dst) {
		row := m[r : r+len(dst)]
		for j := addVec(dst, row); j < len(dst); j++ {
			dst[j] += row[j]
		}
	}
}
