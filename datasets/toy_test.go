package datasets

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestGeneratedSets(t *testing.T) {
	want := map[string]struct {
		features, classes int
	}{
		"swiss_roll": {3, 6}, "s_curve": {3, 6}, "blobs": {10, 10},
		"spheres": {3, 3}, "spheres_10d": {10, 3}, "sine_waves": {64, 2},
	}
	if len(toySpecs) != len(want) {
		t.Fatalf("%d generated sets, want %d", len(toySpecs), len(want))
	}
	for _, spec := range toySpecs {
		t.Run(spec.name, func(t *testing.T) {
			w, ok := want[spec.name]
			if !ok {
				t.Fatalf("unexpected set %q", spec.name)
			}
			d, err := Generate(spec.name, 1)
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Validate(); err != nil {
				t.Fatal(err)
			}
			if d.Features != w.features || d.Shape != (Shape{w.features, 1}) || d.Shape.IsImage() ||
				len(d.ClassNames) != w.classes || d.Source != SourceGenerated {
				t.Fatalf("%d features, shape %v, classes %v", d.Features, d.Shape, d.ClassNames)
			}
			if d.Train.N != toyTrainSize || d.Test.N != toyTestSize || d.Train.N < 2000 {
				t.Fatalf("sizes %d/%d", d.Train.N, d.Test.N)
			}
			if d.ValueRange != [2]float32{0, 1} {
				t.Fatalf("value range %v", d.ValueRange)
			}
			// Min–max over the training split: 0 and 1 are both reached.
			if r := valueRange(allValues(d.Train)); r != [2]float32{0, 1} {
				t.Errorf("training values span %v, want exactly [0,1]", r)
			}
			// Every class occurs in both splits.
			for _, s := range []Split{d.Train, d.Test} {
				seen := make([]int, w.classes)
				for _, l := range s.Labels {
					seen[l]++
				}
				if slices.Contains(seen, 0) {
					t.Errorf("class counts %v: a class is missing", seen)
				}
			}
			if info := spec.info(); info.TrainSize != d.Train.N || info.Features != d.Features || info.Description != d.Description {
				t.Errorf("info %+v disagrees with the data", info)
			}
		})
	}
	if _, err := Generate("nope", 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("Generate(nope): %v", err)
	}
}

func TestGeneratedDeterminism(t *testing.T) {
	for _, spec := range toySpecs {
		a, b, c := spec.generate(42), spec.generate(42), spec.generate(43)
		if !slices.Equal(allValues(a.Train), allValues(b.Train)) || !slices.Equal(allValues(a.Test), allValues(b.Test)) ||
			!slices.Equal(a.Train.Labels, b.Train.Labels) || !slices.Equal(a.Test.Labels, b.Test.Labels) {
			t.Errorf("%s: the same seed gave different data", spec.name)
		}
		if slices.Equal(allValues(a.Train), allValues(c.Train)) || slices.Equal(allValues(a.Test), allValues(c.Test)) {
			t.Errorf("%s: seeds 42 and 43 gave the same data", spec.name)
		}
		if slices.Equal(allValues(a.Train)[:a.Features*a.Test.N], allValues(a.Test)) {
			t.Errorf("%s: the test split repeats the training split", spec.name)
		}
	}
}

// classMeans returns the mean example of each class.
func classMeans(s Split, k, classes int) [][]float64 {
	means := make([][]float64, classes)
	counts := make([]int, classes)
	for c := range means {
		means[c] = make([]float64, k)
	}
	for i, l := range s.Labels {
		counts[l]++
		for j, v := range s.Row(i) {
			means[l][j] += float64(v)
		}
	}
	for c := range means {
		for j := range means[c] {
			means[c][j] /= float64(counts[c])
		}
	}
	return means
}

func dist(a []float64, b []float32) float64 {
	s := 0.0
	for j := range a {
		d := a[j] - float64(b[j])
		s += d * d
	}
	return math.Sqrt(s)
}

func TestBlobsAreSeparable(t *testing.T) {
	d, _ := Generate("blobs", 7)
	means := classMeans(d.Train, d.Features, len(d.ClassNames))
	correct := 0
	for i := range d.Test.N {
		best, bestD := -1, math.Inf(1)
		for c, m := range means {
			if dd := dist(m, d.Test.Row(i)); dd < bestD {
				best, bestD = c, dd
			}
		}
		if best == d.Test.Labels[i] {
			correct++
		}
	}
	if acc := float64(correct) / float64(d.Test.N); acc < 0.95 {
		t.Errorf("nearest-centre accuracy %.3f: the blobs overlap too much (or labels are wrong)", acc)
	}
}

func TestSpheresAreConcentric(t *testing.T) {
	for _, name := range []string{"spheres", "spheres_10d"} {
		d, _ := Generate(name, 3)
		centre := make([]float64, d.Features) // the mean of all points is the common centre
		for i := range d.Train.N {
			for j, v := range d.Train.Row(i) {
				centre[j] += float64(v) / float64(d.Train.N)
			}
		}
		radius := make([]float64, 3)
		count := make([]int, 3)
		for i := range d.Test.N {
			radius[d.Test.Labels[i]] += dist(centre, d.Test.Row(i))
			count[d.Test.Labels[i]]++
		}
		for c := range radius {
			radius[c] /= float64(count[c])
		}
		// Radii 1:2:3, whatever the common scale.
		if r := radius[1] / radius[0]; math.Abs(r-2) > 0.15 {
			t.Errorf("%s: middle/inner radius ratio %.3f, want 2", name, r)
		}
		if r := radius[2] / radius[0]; math.Abs(r-3) > 0.2 {
			t.Errorf("%s: outer/inner radius ratio %.3f, want 3", name, r)
		}
	}
}

// rawSamples draws n raw (unscaled) examples from a set's sampler.
func rawSamples(spec *toySpec, n int) ([][]float32, []int) {
	next := spec.sampler(rand.New(rand.NewPCG(9, 9)))
	xs, labels := make([][]float32, n), make([]int, n)
	for i := range xs {
		xs[i] = make([]float32, spec.features)
		labels[i] = next(xs[i])
	}
	return xs, labels
}

func TestManifoldBands(t *testing.T) {
	// On the swiss roll the distance from the axis is the roll parameter t;
	// on the S-curve t is the angle around either half of the S. Labels are
	// six bands of t, so they must agree with t recovered from the point
	// (up to noise at band edges).
	sCurveT := func(x, z float64) float64 {
		if z <= 0 { // upper half: t in [0, 1.5π]
			a := math.Atan2(x, z+1)
			if a < -math.Pi/4 {
				a += 2 * math.Pi
			}
			return a
		}
		a := math.Atan2(x, 1-z) // lower half: t in [−1.5π, 0)
		if a > math.Pi/4 {
			a -= 2 * math.Pi
		}
		return a
	}
	for _, c := range []struct {
		spec   *toySpec
		lo, hi float64
		t      func(x []float32) float64
	}{
		{swissRollSpec, 1.5 * math.Pi, 4.5 * math.Pi, func(x []float32) float64 { return math.Hypot(float64(x[0]), float64(x[2])) }},
		{sCurveSpec, -1.5 * math.Pi, 1.5 * math.Pi, func(x []float32) float64 { return sCurveT(float64(x[0]), float64(x[2])) }},
	} {
		xs, labels := rawSamples(c.spec, 2000)
		agree := 0
		for i, x := range xs {
			if band(c.t(x), c.lo, c.hi, manifoldBands) == labels[i] {
				agree++
			}
		}
		if frac := float64(agree) / float64(len(xs)); frac < 0.95 {
			t.Errorf("%s: labels agree with the position along the sheet for only %.3f of points", c.spec.name, frac)
		}
	}
}

func TestSineWaves(t *testing.T) {
	d, _ := Generate("sine_waves", 11)
	for _, s := range []Split{d.Train, d.Test} {
		anomalies := 0
		for _, l := range s.Labels {
			anomalies += l
		}
		if frac := float64(anomalies) / float64(s.N); frac < 0.03 || frac > 0.07 {
			t.Errorf("anomaly fraction %.3f, want about %.2f", frac, sineAnomalyRate)
		}
	}
	// Raw normal waves stay within the amplitude (plus noise); each kind of
	// anomaly leaves its mark.
	xs, labels := rawSamples(sineWavesSpec, 2000)
	for i, x := range xs {
		if labels[i] == 0 && (maxAbs(x) > 1+5*sineNoise || roughness(x) > 0.1) {
			t.Fatalf("normal wave %d: max %.2f, roughness %.3f: %v", i, maxAbs(x), roughness(x), x)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		base := make([]float32, sineLen)
		for i := range base {
			base[i] = float32(0.8 * math.Sin(2*math.Pi*3*float64(i)/sineLen))
		}
		spike, flat, burst := slices.Clone(base), slices.Clone(base), slices.Clone(base)
		injectAnomaly(rng, spike, anomalySpike)
		injectAnomaly(rng, flat, anomalyFlat)
		injectAnomaly(rng, burst, anomalyBurst)
		if maxAbs(spike) < sineSpikeLo {
			t.Fatalf("spike anomaly without a spike: %v", spike)
		}
		if longestRun(flat) < 12 {
			t.Fatalf("flat anomaly with no flat stretch of 12: %v", flat)
		}
		if roughness(burst) < 5*roughness(base) || slices.Equal(burst, base) {
			t.Fatalf("noise burst not noisy: %v", burst)
		}
	}
}

func maxAbs(x []float32) float64 {
	m := 0.0
	for _, v := range x {
		m = math.Max(m, math.Abs(float64(v)))
	}
	return m
}

// roughness is the mean squared second difference of x.
func roughness(x []float32) float64 {
	s := 0.0
	for i := 1; i+1 < len(x); i++ {
		d := float64(x[i+1] - 2*x[i] + x[i-1])
		s += d * d
	}
	return s / float64(len(x)-2)
}

// longestRun is the length of the longest stretch of equal values.
func longestRun(x []float32) int {
	best, run := 1, 1
	for i := 1; i < len(x); i++ {
		if x[i] == x[i-1] {
			run++
		} else {
			run = 1
		}
		best = max(best, run)
	}
	return best
}
