package ae

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
)

// vaeConfig is a small VAE the tests modify: 6-5-(μ, log σ²: 2)-5-6.
func vaeConfig() Config {
	return Config{
		Kind:  VAE,
		Sizes: []int{6, 5, 2, 5, 6}, Bottleneck: 2,
		Hidden: Tanh, Output: Sigmoid, Loss: BCE,
		Optimizer: Optimizer{Kind: SGD, LearningRate: 0.1},
		BatchSize: 4, Seed: 1, Workers: 1,
	}
}

// TestRegularisedGradient checks the gradient of the whole training
// objective (reconstruction + β·KL + sparsity + weight decay) of VAEs and
// AEs against central finite differences, with the VAE's noise ε held fixed
// (the noise source is reseeded before every evaluation), for several
// hidden activations and losses.
func TestRegularisedGradient(t *testing.T) {
	type tc struct {
		kind     Kind
		hidden   Activation
		latent   Activation
		loss     Loss
		out      Activation
		beta     float64
		sparsity float64
		decay    float64
	}
	var cases []tc
	for _, h := range []Activation{Tanh, ReLU, ELU} {
		cases = append(cases,
			tc{VAE, h, "", BCE, Sigmoid, 1, 0, 0},
			tc{VAE, h, "", MSE, Linear, 4, 0.3, 0.05},
			tc{VAE, h, "", BCE, Sigmoid, 0.1, 0.5, 0.2},
			tc{AE, h, "", MSE, Sigmoid, 0, 0.5, 0.1},
			tc{AE, h, Linear, BCE, Sigmoid, 0, 2, 0.3},
		)
	}
	for _, c := range cases {
		name := fmt.Sprintf("%s/%s/%s+%s/β=%v/s=%v/wd=%v", c.kind, c.hidden, c.out, c.loss, c.beta, c.sparsity, c.decay)
		cfg := vaeConfig()
		cfg.Kind, cfg.Hidden, cfg.Latent, cfg.Loss, cfg.Output = c.kind, c.hidden, c.latent, c.loss, c.out
		cfg.Beta, cfg.Sparsity, cfg.WeightDecay = c.beta, c.sparsity, c.decay
		worst := checkObjectiveGradient(t, name, cfg)
		t.Logf("%-45s worst error %.1e", name, worst)
	}
}

// checkObjectiveGradient finds a seed whose base point keeps every kinked
// value (ReLU-family pre-activations, sparsity's code values) kinkMargin
// away from its kink, and compares m.gradient's gradient with central
// differences of the loss it returns.
func checkObjectiveGradient(t *testing.T, name string, c Config) float64 {
	t.Helper()
	const n = 4
	k := c.Sizes[0]
	for seed := uint64(1); seed <= 500; seed++ {
		c.Seed = seed
		m := mustNew(t, c)
		for _, l := range m.layers {
			copy(l.b, uniformData(seed+1000, 1, l.out, -0.5, 0.5))
		}
		x := uniformData(seed, n, k, -1, 1)
		y := uniformData(seed+2000, n, k, 0, 1)
		loss := func() float64 {
			m.noiseSrc.Seed(seed, 77) // the same ε at every evaluation
			return m.gradient(x, y, n)
		}
		loss()
		if !trainFarFromKinks(m, n) {
			continue
		}
		base := slices.Clone(m.params)
		value := func(p []float64) float64 {
			for i, v := range p {
				m.params[i] = float32(v)
			}
			return loss()
		}
		want := fd.Gradient(nil, value, to64(base), &fd.Settings{Formula: fd.Central, Step: gradStep})
		copy(m.params, base)
		loss()
		worst, at := gradError(to64(m.grads), want, 1e-2)
		if worst > 1e-2 {
			t.Errorf("%s (seed %d): ∂L/∂θ[%d] = %v; finite difference %v (error %.1e)",
				name, seed, at, m.grads[at], want[at], worst)
		}
		return worst
	}
	t.Fatalf("%s: no seed in 500 keeps the base point %v from every kink", name, kinkMargin)
	return 0
}

// trainFarFromKinks is farFromKinks for the training buffers, with the
// code values under a sparsity penalty also kept away from 0.
func trainFarFromKinks(m *Model, n int) bool {
	for i, l := range m.layers {
		if !l.act.reluFamily() {
			continue
		}
		for _, z := range m.train.z[i][:n*l.out] {
			if math.Abs(float64(z)) < kinkMargin {
				return false
			}
		}
	}
	if m.cfg.Sparsity > 0 {
		code, width, cols := m.code(m.train, n)
		for r := 0; r < len(code); r += width {
			for _, v := range code[r : r+cols] {
				// A ReLU's exact zeros stay zeros (its pre-activation is
				// checked above): only values near but off 0 are a kink.
				if v != 0 && math.Abs(float64(v)) < kinkMargin {
					return false
				}
			}
		}
	}
	return true
}

// TestReparamKL checks the two VAE ops on hand-worked values: with μ = 1,
// log σ² = 0 (σ = 1), KL = ½(1 + 1 − 1 − 0) = 0.5; with μ = 0, log σ² = ln 4
// (σ = 2), KL = ½(0 + 4 − 1 − ln 4); and z = μ + σ·ε for the drawn ε.
func TestReparamKL(t *testing.T) {
	ml := []float32{1, 0, 0, float32(math.Log(4))} // one row, M = 2: μ = (1, 0), log σ² = (0, ln 4)
	z, eps := make([]float32, 2), make([]float32, 2)
	noise, _ := newNoise(3)
	kl := reparamForward(z, eps, ml, 1, 2, noise)
	want := 0.5 + 0.5*(4-1-math.Log(4))
	if math.Abs(kl-want) > 1e-6 {
		t.Errorf("KL = %v; want %v", kl, want)
	}
	if math.Abs(float64(z[0]-(1+eps[0]))) > 1e-6 || math.Abs(float64(z[1]-2*eps[1])) > 1e-6 {
		t.Errorf("z = %v with ε = %v; want (1 + ε₀, 2·ε₁)", z, eps)
	}
	if got := klSum(ml, 1, 2); math.Abs(got-want) > 1e-6 {
		t.Errorf("klSum = %v; want %v", got, want)
	}
	reparamForward(z, eps, ml, 1, 2, nil)
	if z[0] != 1 || z[1] != 0 {
		t.Errorf("z without noise = %v; want μ = (1, 0)", z)
	}
}

// TestVAEShapes checks the VAE's layer widths, parameter count, that Encode
// returns μ, and that EvalLoss and Generate repeat exactly.
func TestVAEShapes(t *testing.T) {
	c := vaeConfig()
	m := mustNew(t, c)
	// 6·5+5, 5·4+4 (μ and log σ²), 2·5+5, 5·6+6.
	if got, want := m.NumParams(), 35+24+15+36; got != want || c.NumParams() != want {
		t.Errorf("NumParams = %d (config %d); want %d", got, c.NumParams(), want)
	}
	x := factorData(1, 10, 6, 2)
	codes := make([]float32, 10*2)
	m.Encode(codes, x, 10)
	m.forward(m.eval, x, 10, 0, 2, 1, nil)
	a := m.eval.a[1][:10*4] // [μ | log σ²] rows
	for r := 0; r < 10; r++ {
		if !slices.Equal(codes[r*2:r*2+2], a[r*4:r*4+2]) {
			t.Fatalf("Encode row %d = %v; want μ = %v", r, codes[r*2:r*2+2], a[r*4:r*4+2])
		}
	}
	l1, l2 := m.EvalLoss(x, nil, 10), m.EvalLoss(x, nil, 10)
	if l1 != l2 || !(l1 > 0) {
		t.Errorf("EvalLoss twice = %v, %v; want the same positive value", l1, l2)
	}
	p := m.EvalParts(x, nil, 10)
	if p.Reconstruction+p.KL != l1 || !(p.KL > 0) {
		t.Errorf("EvalParts = %+v; want parts of %v with KL > 0", p, l1)
	}
	g1, g2, g3 := make([]float32, 7*6), make([]float32, 7*6), make([]float32, 7*6)
	m.Generate(g1, 7, 5)
	m.Generate(g2, 7, 5)
	m.Generate(g3, 7, 6)
	if !slices.Equal(g1, g2) || slices.Equal(g1, g3) {
		t.Errorf("Generate: seed 5 twice gave different examples, or seeds 5 and 6 the same")
	}
	s := m.Snapshot()
	g4 := make([]float32, 7*6)
	s.Generate(g4, 7, 5)
	if !slices.Equal(g1, g4) || s.EvalLoss(x, nil, 10) != l1 {
		t.Errorf("Snapshot differs from its model in Generate or EvalLoss")
	}
	ae := mustNew(t, smallConfig())
	mustPanic(t, "prior", func() { ae.Generate(make([]float32, 6), 1, 1) })
}

// TestVAEEvalDoesNotDisturbTraining trains two equal VAEs whose batch size
// makes the evaluation share the training buffers, one evaluating between
// steps, and requires bit-identical weights: evaluation draws its own noise.
func TestVAEEvalDoesNotDisturbTraining(t *testing.T) {
	c := vaeConfig()
	c.Sizes, c.BatchSize, c.Optimizer = []int{8, 6, 2, 6, 8}, evalRows, Optimizer{Kind: Adam, LearningRate: 1e-2}
	a, b := mustNew(t, c), mustNew(t, c)
	x := factorData(2, evalRows, 8, 2)
	for s := 0; s < 5; s++ {
		la := a.TrainStep(x, nil, evalRows)
		b.EvalLoss(x, nil, evalRows)
		b.Generate(make([]float32, 3*8), 3, uint64(s))
		lb := b.TrainStep(x, nil, evalRows)
		if la != lb {
			t.Fatalf("step %d: loss %v with evaluations between steps, %v without", s, lb, la)
		}
	}
	if !slices.Equal(a.params, b.params) {
		t.Fatal("weights differ after evaluating between steps")
	}
}

// TestLossParts checks that TrainStep returns the sum of the parts it
// reports, β included, and that the penalties are measured as documented.
func TestLossParts(t *testing.T) {
	c := vaeConfig()
	c.Beta, c.Sparsity, c.WeightDecay = 4, 0.5, 0.01
	m := mustNew(t, c)
	x := factorData(3, 4, 6, 2)
	loss := m.TrainStep(x, nil, 4)
	p := m.LastParts()
	if got := p.Reconstruction + 4*p.KL + p.Sparsity + p.WeightDecay; math.Abs(got-loss) > 1e-12 {
		t.Errorf("TrainStep = %v; parts %+v add up to %v", loss, p, got)
	}
	if !(p.Reconstruction > 0 && p.KL > 0 && p.Sparsity > 0 && p.WeightDecay > 0) {
		t.Errorf("parts %+v; want every one positive", p)
	}
	// Weight decay: λ/2·Σ W² over the weights of the model before the step.
	m2 := mustNew(t, c)
	var sw float64
	for _, l := range m2.layers {
		for _, w := range l.w {
			sw += float64(w) * float64(w)
		}
	}
	if want := 0.01 / 2 * sw; math.Abs(p.WeightDecay-want) > 1e-9*want {
		t.Errorf("WeightDecay part = %v; want %v", p.WeightDecay, want)
	}
}

// TestAdamWDecay checks the decoupled decay on one step by hand: with a zero
// gradient Adam moves nothing, so every weight becomes w·(1 − η·λ) and
// every bias stays.
func TestAdamWDecay(t *testing.T) {
	c := smallConfig()
	c.WeightDecay, c.Optimizer.LearningRate = 0.5, 0.1
	m := mustNew(t, c)
	before := slices.Clone(m.params)
	clear(m.grads)
	decayDecoupled(m.layers, c.WeightDecay, m.lr)
	m.opt.update(m.params, m.grads, m.lr)
	off := 0
	for _, l := range m.layers {
		for j := range l.w {
			if want := before[off+j] * float32(1-0.1*0.5); l.w[j] != want {
				t.Fatalf("weight %d: %v; want %v", off+j, l.w[j], want)
			}
		}
		off += len(l.w)
		if !slices.Equal(l.b, before[off:off+len(l.b)]) {
			t.Fatal("biases were decayed")
		}
		off += len(l.b)
	}
}

// TestVAEConfigErrors checks the refusals of the new fields.
func TestVAEConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"unknown kind", func(c *Config) { c.Kind = "gan" }, "Kind"},
		{"beta on an AE", func(c *Config) { c.Kind, c.Beta = AE, 2 }, "Beta"},
		{"negative beta", func(c *Config) { c.Beta = -1 }, "Beta"},
		{"NaN beta", func(c *Config) { c.Beta = math.NaN() }, "Beta"},
		{"huge beta", func(c *Config) { c.Beta = 1e9 }, "Beta"},
		{"negative sparsity", func(c *Config) { c.Sparsity = -0.1 }, "Sparsity"},
		{"infinite decay", func(c *Config) { c.WeightDecay = math.Inf(1) }, "WeightDecay"},
		{"non-linear VAE code", func(c *Config) { c.Latent = ReLU }, "Latent"},
	} {
		c := vaeConfig()
		tc.edit(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate = %v; want an error naming %s", tc.name, err, tc.want)
		}
	}
	if k, err := ParseKind(" VAE "); k != VAE || err != nil {
		t.Errorf("ParseKind(VAE) = %q, %v", k, err)
	}
	if k, err := ParseKind(""); k != AE || err != nil {
		t.Errorf("ParseKind(\"\") = %q, %v", k, err)
	}
}

// TestVAEZeroAllocs checks that a regularised VAE's training, evaluation
// and generation do not allocate, on one and two workers.
func TestVAEZeroAllocs(t *testing.T) {
	for _, opt := range []OptimizerKind{Adam, Momentum} {
		for _, workers := range []int{1, 2} {
			c := vaeConfig()
			c.Sizes, c.BatchSize, c.Workers = []int{32, 16, 4, 16, 32}, 16, workers
			c.Optimizer = Optimizer{Kind: opt, LearningRate: 1e-3}
			c.Sparsity, c.WeightDecay = 0.1, 1e-3
			m := mustNew(t, c)
			x := factorData(1, 300, 32, 3)
			name := fmt.Sprintf("%s/workers=%d", opt, workers)
			b := NewBatcher(x, 300, 32, 16, 1)
			if a := testing.AllocsPerRun(50, func() {
				batch, n := b.Next()
				m.TrainStep(batch, nil, n)
			}); a != 0 {
				t.Errorf("%s: Batcher.Next + TrainStep: %v allocations per call", name, a)
			}
			codes, rec := make([]float32, 300*4), make([]float32, 300*32)
			for op, f := range map[string]func(){
				"EvalLoss":    func() { m.EvalLoss(x, nil, 300) },
				"Encode":      func() { m.Encode(codes, x, 300) },
				"Decode":      func() { m.Decode(rec, codes, 300) },
				"Reconstruct": func() { m.Reconstruct(rec, x, 300) },
				"Generate":    func() { m.Generate(rec, 300, 9) },
			} {
				if a := testing.AllocsPerRun(10, f); a != 0 {
					t.Errorf("%s: %s: %v allocations per call", name, op, a)
				}
			}
		}
	}
}

// TestVAEDeterminism trains a regularised VAE for 20 steps under
// GOMAXPROCS 1 and 2 with Workers 1, 2 and 0, and requires bit-identical
// loss parts, test losses and weights.
func TestVAEDeterminism(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	x := factorData(5, 200, 256, 4)
	c := Config{
		Kind:  VAE,
		Sizes: []int{256, 128, 8, 128, 256}, Bottleneck: 2,
		Hidden: ReLU, Output: Sigmoid, Loss: BCE,
		Optimizer: Optimizer{Kind: Adam, LearningRate: 1e-2},
		BatchSize: 64, Seed: 42, Beta: 2, Sparsity: 0.01, WeightDecay: 1e-3,
	}
	var ref []LossParts
	var refParams []float32
	for _, r := range []struct{ procs, workers int }{{1, 1}, {2, 2}, {1, 2}, {2, 1}, {2, 0}} {
		runtime.GOMAXPROCS(r.procs)
		c.Workers = r.workers
		m := mustNew(t, c)
		b := NewBatcher(x, 200, 256, 64, 7)
		var hist []LossParts
		for s := 0; s < 20; s++ {
			batch, n := b.Next()
			m.TrainStep(batch, nil, n)
			hist = append(hist, m.LastParts())
		}
		hist = append(hist, m.EvalParts(x, nil, 200))
		if ref == nil {
			ref, refParams = hist, slices.Clone(m.params)
			continue
		}
		if !slices.Equal(hist, ref) {
			t.Fatalf("GOMAXPROCS %d, Workers %d: loss parts differ from GOMAXPROCS 1, Workers 1", r.procs, r.workers)
		}
		if !slices.Equal(m.params, refParams) {
			t.Fatalf("GOMAXPROCS %d, Workers %d: weights differ after 20 steps", r.procs, r.workers)
		}
	}
	if !(ref[19].Reconstruction < ref[0].Reconstruction) {
		t.Errorf("reconstruction did not decrease (%v → %v)", ref[0].Reconstruction, ref[19].Reconstruction)
	}
}

// TestClassifierFromVAEEncoder starts a classifier from a VAE's encoder: its
// code layer must be linear and reproduce μ (not a slice of the
// [μ | log σ²] weights).
func TestClassifierFromVAEEncoder(t *testing.T) {
	c := vaeConfig()
	c.Hidden = ReLU
	m := mustNew(t, c)
	x := factorData(4, 8, 6, 2)
	for range 5 {
		m.TrainStep(x[:4*6], nil, 4)
	}
	s := m.Snapshot()
	cc := ClassifierConfigFor(s, 3)
	if cc.CodeActivation != Linear || cc.CodeLayer != 2 {
		t.Fatalf("ClassifierConfigFor(VAE) = %+v; want a linear code layer", cc)
	}
	cc.Optimizer, cc.BatchSize, cc.Workers = Optimizer{Kind: Adam, LearningRate: 1e-2}, 8, 1
	pre, err := NewClassifierFromEncoder(cc, s)
	if err != nil {
		t.Fatal(err)
	}
	mu := make([]float32, 8*2)
	s.Encode(mu, x, 8)
	pre.forward(pre.eval, x, 8, 1)
	if !slices.Equal(pre.eval.a[1][:8*2], mu) {
		t.Fatalf("the classifier's code %v is not the VAE's μ %v", pre.eval.a[1][:8*2], mu)
	}
}
