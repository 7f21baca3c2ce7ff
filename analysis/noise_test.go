package analysis

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestNoiseValidate(t *testing.T) {
	for _, tc := range []struct {
		n    Noise
		want string // "" for valid
	}{
		{Noise{Kind: NoiseNone}, ""},
		{Noise{Kind: NoiseGaussian, Level: 0.3, Lo: 0, Hi: 1}, ""},
		{Noise{Kind: NoiseGaussian, Level: 0, Lo: 0, Hi: 1}, ""},
		{Noise{Kind: NoiseMasking, Level: 1, Lo: 0, Hi: 1}, ""},
		{Noise{Kind: NoiseSaltPepper, Level: 0.1, Lo: -1, Hi: 1}, ""},
		{Noise{Kind: "blur", Level: 0.1, Lo: 0, Hi: 1}, `unknown noise kind "blur"`},
		{Noise{Kind: "", Level: 0.1, Lo: 0, Hi: 1}, "unknown noise kind"},
		{Noise{Kind: NoiseGaussian, Level: -0.1, Lo: 0, Hi: 1}, "σ = -0.1 must be between 0 and 1"},
		{Noise{Kind: NoiseGaussian, Level: 3, Lo: 0, Hi: 2}, "σ = 3 must be between 0 and 2"},
		{Noise{Kind: NoiseGaussian, Level: math.NaN(), Lo: 0, Hi: 1}, "σ = NaN"},
		{Noise{Kind: NoiseMasking, Level: 1.5, Lo: 0, Hi: 1}, "fraction of values masked"},
		{Noise{Kind: NoiseSaltPepper, Level: -0.5, Lo: 0, Hi: 1}, "flipped to salt or pepper"},
		{Noise{Kind: NoiseMasking, Level: 0.5, Lo: 1, Hi: 1}, "value range [1, 1]"},
		{Noise{Kind: NoiseGaussian, Level: 0.5, Lo: 0, Hi: float32(math.Inf(1))}, "must be finite"},
	} {
		err := tc.n.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%+v: %v; want valid", tc.n, err)
		case tc.want != "" && err == nil:
			t.Errorf("%+v: valid; want an error mentioning %q", tc.n, tc.want)
		case tc.want != "" && !strings.Contains(err.Error(), tc.want):
			t.Errorf("%+v: %q; want it to mention %q", tc.n, err, tc.want)
		case tc.want != "" && !errors.Is(err, ErrInvalidInput):
			t.Errorf("%+v: %v does not wrap ErrInvalidInput", tc.n, err)
		}
	}
}

// grey returns n values all equal to v.
func grey(n int, v float32) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = v
	}
	return s
}

func TestGaussianNoise(t *testing.T) {
	const n, sigma = 20000, 0.05
	src := grey(n, 0.5)
	dst := make([]float32, n)
	Noise{Kind: NoiseGaussian, Level: sigma, Lo: 0, Hi: 1}.Apply(dst, src, newRNG(1))
	var sum, sq float64
	for i, v := range dst {
		e := float64(v - src[i])
		sum += e
		sq += e * e
	}
	mean, std := sum/n, math.Sqrt(sq/n-(sum/n)*(sum/n))
	// Standard errors: σ/√n ≈ 0.00035 for the mean, σ/√(2n) ≈ 0.00025 for σ.
	if !near(mean, 0, 0.0015) || !near(std, sigma, 0.001) {
		t.Errorf("noise mean %.5f, std %.5f; want 0 and %g", mean, std, sigma)
	}

	// Clipping: near the edges the values stay in [Lo, Hi] and pile up there.
	src = grey(n, 0.95)
	Noise{Kind: NoiseGaussian, Level: 0.2, Lo: 0, Hi: 1}.Apply(dst, src, newRNG(2))
	atHi := 0
	for _, v := range dst {
		if v < 0 || v > 1 {
			t.Fatalf("value %g outside [0, 1]", v)
		}
		if v == 1 {
			atHi++
		}
	}
	// P(0.95 + N(0, 0.2²) > 1) = P(Z > 0.25) ≈ 0.401.
	if f := float64(atHi) / n; !near(f, 0.401, 0.02) {
		t.Errorf("fraction clipped to Hi = %.3f; want ≈ 0.401", f)
	}
}

func TestMaskingAndSaltPepper(t *testing.T) {
	const n, p = 40000, 0.3
	src := make([]float32, n)
	rng := newRNG(3)
	for i := range src {
		src[i] = float32(0.1 + 0.8*rng.Float64()) // strictly inside (0, 1)
	}
	dst := make([]float32, n)
	Noise{Kind: NoiseMasking, Level: p, Lo: 0, Hi: 1}.Apply(dst, src, newRNG(4))
	masked := 0
	for i, v := range dst {
		switch v {
		case 0:
			masked++
		case src[i]:
		default:
			t.Fatalf("masking changed %g to %g; want it unchanged or 0", src[i], v)
		}
	}
	// Binomial standard error √(p(1−p)/n) ≈ 0.0023.
	if f := float64(masked) / n; !near(f, p, 0.01) {
		t.Errorf("masked fraction %.4f; want ≈ %g", f, p)
	}

	Noise{Kind: NoiseSaltPepper, Level: p, Lo: -1, Hi: 2}.Apply(dst, src, newRNG(5))
	pepper, salt := 0, 0
	for i, v := range dst {
		switch v {
		case -1:
			pepper++
		case 2:
			salt++
		case src[i]:
		default:
			t.Fatalf("salt and pepper changed %g to %g", src[i], v)
		}
	}
	if fp, fs := float64(pepper)/n, float64(salt)/n; !near(fp, p/2, 0.01) || !near(fs, p/2, 0.01) {
		t.Errorf("pepper %.4f, salt %.4f; want ≈ %g each", fp, fs, p/2)
	}
}

func TestNoiseDeterministicInPlaceNoAlloc(t *testing.T) {
	src := make([]float32, 1000)
	for i := range src {
		src[i] = float32(i%100) / 100
	}
	for _, nz := range []Noise{
		{Kind: NoiseNone},
		{Kind: NoiseGaussian, Level: 0.1, Lo: 0, Hi: 1},
		{Kind: NoiseMasking, Level: 0.25, Lo: 0, Hi: 1},
		{Kind: NoiseSaltPepper, Level: 0.25, Lo: 0, Hi: 1},
	} {
		a := make([]float32, len(src))
		b := make([]float32, len(src))
		nz.Apply(a, src, newRNG(7))
		nz.Apply(b, src, newRNG(7))
		if !slices.Equal(a, b) {
			t.Errorf("%s: same seed, different noise", nz.Kind)
		}
		inPlace := slices.Clone(src)
		nz.Apply(inPlace, inPlace, newRNG(7))
		if !slices.Equal(a, inPlace) {
			t.Errorf("%s: in-place result differs", nz.Kind)
		}
		if nz.Kind != NoiseNone && slices.Equal(a, src) {
			t.Errorf("%s: nothing changed", nz.Kind)
		}
		if nz.Kind == NoiseNone && !slices.Equal(a, src) {
			t.Errorf("none: input changed")
		}
		rng := newRNG(8)
		if allocs := testing.AllocsPerRun(10, func() { nz.Apply(a, src, rng) }); allocs != 0 {
			t.Errorf("%s: Apply allocates %v times", nz.Kind, allocs)
		}
		zero := nz
		zero.Level = 0
		zero.Apply(a, src, newRNG(9))
		if !slices.Equal(a, src) {
			t.Errorf("%s at level 0 changed the input", nz.Kind)
		}
	}
}

func TestNoiseApplyPanics(t *testing.T) {
	g := Noise{Kind: NoiseGaussian, Level: 0.1, Lo: 0, Hi: 1}
	mustPanic(t, "different lengths", func() { g.Apply(make([]float32, 3), make([]float32, 4), newRNG(1)) })
	mustPanic(t, "nil rng", func() { g.Apply(make([]float32, 3), make([]float32, 3), nil) })
	bad := Noise{Kind: NoiseMasking, Level: 2, Lo: 0, Hi: 1}
	mustPanic(t, "fraction of values masked", func() { bad.Apply(make([]float32, 3), make([]float32, 3), newRNG(1)) })
}
