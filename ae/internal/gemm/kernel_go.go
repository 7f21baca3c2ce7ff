package gemm

// goMR×goNR is the register tile of the portable micro-kernel: 16 scalar
// accumulators plus operands fit the 15 usable SSE registers of amd64
// closely enough for the Go compiler to keep most of them in registers.
const (
	goMR = 4
	goNR = 4
)

// tileGo is the portable micro-kernel: C[0:mr,0:nr] = alpha·A·B (+ beta·C)
// for packed panels a (kc×mr) and b (kc×nr, no padding).
//
// Products are converted to float32 explicitly so that the compiler never
// fuses them into FMAs: every element then follows the same arithmetic in
// full and edge tiles, and results do not depend on where tiles fall.
func tileGo(mr, nr, kc int, a, b, c []float32, ldc int, alpha, beta float32, accum bool) {
	var acc [goMR * goNR]float32
	if mr == goMR && nr == goNR {
		full4x4(kc, a, b, &acc)
	} else {
		for p := 0; p < kc; p++ {
			ap := a[p*mr : p*mr+mr]
			bp := b[p*nr : p*nr+nr]
			for i, av := range ap {
				for j, bv := range bp {
					acc[i*goNR+j] += float32(av * bv)
				}
			}
		}
	}
	for i := 0; i < mr; i++ {
		row := c[i*ldc : i*ldc+nr]
		for j := range row {
			t := float32(alpha * acc[i*goNR+j])
			if accum {
				t += float32(beta * row[j])
			}
			row[j] = t
		}
	}
}

// full4x4 accumulates a full 4×4 tile with the loop body unrolled.
func full4x4(kc int, a, b []float32, acc *[goMR * goNR]float32) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	a = a[:4*kc]
	b = b[:4*kc]
	for len(a) >= 4 && len(b) >= 4 {
		a0, a1, a2, a3 := a[0], a[1], a[2], a[3]
		b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
		a, b = a[4:], b[4:]
		c00 += float32(a0 * b0)
		c01 += float32(a0 * b1)
		c02 += float32(a0 * b2)
		c03 += float32(a0 * b3)
		c10 += float32(a1 * b0)
		c11 += float32(a1 * b1)
		c12 += float32(a1 * b2)
		c13 += float32(a1 * b3)
		c20 += float32(a2 * b0)
		c21 += float32(a2 * b1)
		c22 += float32(a2 * b2)
		c23 += float32(a2 * b3)
		c30 += float32(a3 * b0)
		c31 += float32(a3 * b1)
		c32 += float32(a3 * b2)
		c33 += float32(a3 * b3)
	}
	*acc = [goMR * goNR]float32{
		c00, c01, c02, c03, c10, c11, c12, c13,
		c20, c21, c22, c23, c30, c31, c32, c33,
	}
}

// goImpl is the portable implementation, used where no SIMD kernel is
// available, under the purego build tag, or when forced by tests.
var goImpl = &impl{
	name: "go",
	mr:   goMR, nr: goNR, vw: 1,
	kc: 256, l2: 64 << 10,
	packA: packAGo,
	packB: packBGo,
	tile:  tileGo,
}
