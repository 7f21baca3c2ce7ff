package ae

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// vectorLevels returns the vector levels this machine can run, widest
// first (none on other CPUs or with -tags purego).
func vectorLevels() []simdLevel {
	var l []simdLevel
	for lv := detectSIMD(); lv > simdNone; lv-- {
		l = append(l, lv)
	}
	return l
}

// withSIMD runs f with the kernels limited to level l.
func withSIMD(l simdLevel, f func()) {
	defer func(old simdLevel) { simd = old }(simd)
	simd = l
	f()
}

// kernelLengths are vector lengths around the widths of 8 and 16 floats,
// and layer widths of the benchmarks.
var kernelLengths = []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 50, 64, 100, 784}

// awkward returns n values: mostly uniform in [lo, hi), with zeros of both
// signs, infinities, NaN, subnormals, huge and tiny values mixed in.
func awkward(rng *rand.Rand, n int, lo, hi float64) []float32 {
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), math.Float32frombits(1), -math.Float32frombits(0x7fffff), 1e30, -1e30,
		1e-30, -104, -103.9, 88.7, -88.7, 1, -1}
	x := make([]float32, n)
	for i := range x {
		if rng.IntN(8) == 0 {
			x[i] = special[rng.IntN(len(special))]
		} else {
			x[i] = float32(lo + (hi-lo)*rng.Float64())
		}
	}
	return x
}

// sameBits reports whether a and b are equal bit for bit, except that any
// two NaNs are equal (a NaN's payload may depend on operand order).
func sameBits(a, b []float32) (bool, int) {
	if len(a) != len(b) {
		return false, -1
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) && !(a[i] != a[i] && b[i] != b[i]) {
			return false, i
		}
	}
	return true, 0
}

// compareLevels runs op on fresh copies of the same inputs with the Go
// loops only and with each vector level, and requires identical outputs.
// op returns the slices it wrote and, optionally, a float64 result.
func compareLevels(t *testing.T, name string, op func() ([][]float32, float64)) {
	t.Helper()
	var want [][]float32
	var wantSum float64
	withSIMD(simdNone, func() { want, wantSum = op() })
	for _, lv := range vectorLevels() {
		var got [][]float32
		var gotSum float64
		withSIMD(lv, func() { got, gotSum = op() })
		for k := range want {
			if ok, i := sameBits(got[k], want[k]); !ok {
				t.Fatalf("%s, %s: output %d differs from the Go loop at %d: %v, want %v", name, lv, k, i, got[k][i], want[k][i])
			}
		}
		if math.Float64bits(gotSum) != math.Float64bits(wantSum) && !(math.IsNaN(gotSum) && math.IsNaN(wantSum)) {
			t.Fatalf("%s, %s: sum %v; Go loop %v", name, lv, gotSum, wantSum)
		}
	}
}

// TestKernelsMatchGo checks every vector kernel against its Go loop, bit
// for bit, on lengths that are and are not multiples of the vector width,
// with special values among the inputs.
func TestKernelsMatchGo(t *testing.T) {
	if len(vectorLevels()) == 0 {
		t.Skip("no vector kernels on this machine or build")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range kernelLengths {
		for _, rows := range []int{1, 3} {
			name := fmt.Sprintf("%d×%d", rows, n)
			z0, b := awkward(rng, rows*n, -30, 30), awkward(rng, n, -1, 1)
			d0 := awkward(rng, rows*n, -1, 1)
			p, y := awkward(rng, rows*n, 0, 1), awkward(rng, rows*n, 0, 1)
			finite := func(x []float32) []float32 { // the loss kernels' inputs are outputs of σ
				x = slices.Clone(x)
				for i, v := range x {
					if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
						x[i] = 0.5
					}
				}
				return x
			}
			pf, yf := finite(p), finite(y)
			if n > 0 {
				// A bias of −0 leaves every special value of z as it is.
				negZero := slices.Repeat([]float32{float32(math.Copysign(0, -1))}, n)
				for _, k := range []actKind{actReLU, actSigmoid} {
					for _, bias := range [][]float32{b, negZero} {
						compareLevels(t, fmt.Sprintf("forward %d %s", k, name), func() ([][]float32, float64) {
							z, a := slices.Clone(z0), make([]float32, len(z0))
							k.forward(z, a, bias)
							return [][]float32{z, a}, 0
						})
					}
				}
				compareLevels(t, "colSums "+name, func() ([][]float32, float64) {
					dst := make([]float32, n)
					colSums(dst, z0)
					return [][]float32{dst}, 0
				})
			}
			compareLevels(t, "relu backward "+name, func() ([][]float32, float64) {
				d := slices.Clone(d0)
				actReLU.backward(d, z0, make([]float32, len(d)))
				return [][]float32{d}, 0
			})
			compareLevels(t, "mse+sigmoid gradient "+name, func() ([][]float32, float64) {
				dz := make([]float32, len(pf))
				return [][]float32{dz}, outputGrad(dz, z0, pf, yf, lossMSE, actSigmoid, 1/float32(max(1, len(pf))))
			})
			compareLevels(t, "mse sum "+name, func() ([][]float32, float64) {
				return nil, lossSum(z0, pf, yf, lossMSE)
			})
			compareLevels(t, "bce gradient "+name, func() ([][]float32, float64) {
				dz := make([]float32, len(pf))
				return [][]float32{dz}, outputGrad(dz, z0, pf, yf, lossBCE, actSigmoid, 1/float32(max(1, len(pf))))
			})
			compareLevels(t, "bce sum "+name, func() ([][]float32, float64) {
				return nil, lossSum(z0, pf, yf, lossBCE)
			})
		}
	}
}

// TestOptimizerKernelsMatchGo runs three steps of every optimizer (with
// and without weight decay) on the same state with the Go loop and with
// each vector level and requires identical weights and optimizer state.
func TestOptimizerKernelsMatchGo(t *testing.T) {
	if len(vectorLevels()) == 0 {
		t.Skip("no vector kernels on this machine or build")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	opts := []Optimizer{{Kind: SGD}, {Kind: Momentum}, {Kind: Momentum, Nesterov: true}, {Kind: Adam}}
	for _, n := range append(kernelLengths, 4099) {
		for _, wd := range []float64{0, 1e-2} {
			w0, g := awkward(rng, n, -1, 1), awkward(rng, n, -1e-3, 1e-3)
			m0, v0 := awkward(rng, n, -1e-3, 1e-3), awkward(rng, n, 0, 1e-6)
			for i := range v0 {
				v0[i] = float32(math.Abs(float64(v0[i]))) // Adam's second moment is ≥ 0 (or NaN)
			}
			for _, o := range opts {
				o.WeightDecay, o.LearningRate = wd, 1e-3
				name := fmt.Sprintf("%s nesterov=%v n=%d wd=%v", o.Kind, o.Nesterov, n, wd)
				compareLevels(t, name, func() ([][]float32, float64) {
					u := newUpdater(o.WithDefaults(), n)
					var state [][]float32
					switch u := u.(type) {
					case *momentum:
						copy(u.v, m0)
						state = [][]float32{u.v}
					case *adam:
						copy(u.m, m0)
						copy(u.v, v0)
						state = [][]float32{u.m, u.v}
					}
					w := slices.Clone(w0)
					for s := range 3 {
						u.update(w, g, 1e-3*float64(s+1))
					}
					return append(state, w), 0
				})
			}
		}
	}
}

// TestTrainingSameWithAndWithoutKernels trains autoencoders whose layer
// widths are not multiples of the vector width, with the Go loops only and
// with each vector level, and requires the same loss history and weights.
func TestTrainingSameWithAndWithoutKernels(t *testing.T) {
	if len(vectorLevels()) == 0 {
		t.Skip("no vector kernels on this machine or build")
	}
	x := factorData(6, 100, 37, 3)
	for _, loss := range []Loss{MSE, BCE} {
		c := Config{
			Sizes: []int{37, 20, 5, 20, 37}, Bottleneck: 2,
			Hidden: ReLU, Output: Sigmoid, Loss: loss,
			Optimizer: Optimizer{Kind: Adam, LearningRate: 1e-2},
			BatchSize: 24, Seed: 5, Workers: 1,
		}
		train := func() ([][]float32, float64) {
			m := mustNew(t, c)
			b := NewBatcher(x, 100, 37, 24, 9)
			var sum float64
			for range 30 {
				batch, n := b.Next()
				sum += m.TrainStep(batch, nil, n)
			}
			return [][]float32{m.params}, sum + m.EvalLoss(x, nil, 100)
		}
		compareLevels(t, string(loss), train)
	}
}
