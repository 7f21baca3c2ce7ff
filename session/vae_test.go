package session

import (
	"math"
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

// TestValidateVAEFields checks the defaults and refusals of kind, beta,
// sparsity and weight_decay.
func TestValidateVAEFields(t *testing.T) {
	c, fe := Validate(Config{Bottleneck: 2, Kind: "VAE"}, testRegistry, DefaultLimits())
	if len(fe) != 0 {
		t.Fatal(fe)
	}
	if c.Kind != "vae" || c.Beta == nil || *c.Beta != 1 || !c.IsVAE() {
		t.Fatalf("kind %q, beta %v; want vae with beta 1 by default", c.Kind, c.Beta)
	}
	// The code layer outputs μ and log σ²: 2M outputs.
	if got, want := Summarize(c, 784).Params, 785*256+257*4+3*256+257*784; got != want {
		t.Fatalf("VAE params = %d; want %d", got, want)
	}
	c, fe = Validate(Config{Bottleneck: 2}, testRegistry, DefaultLimits())
	if len(fe) != 0 || c.Kind != "ae" || c.Beta != nil {
		t.Fatalf("default kind %q beta %v (%v); want ae without beta", c.Kind, c.Beta, fe)
	}
	for _, tc := range []struct {
		name  string
		cfg   Config
		field string
		says  string
	}{
		{"unknown kind", Config{Bottleneck: 2, Kind: "gan"}, "kind", "ae, vae"},
		{"beta on an ae", Config{Bottleneck: 2, Beta: ptr(2.0)}, "beta", `set kind to "vae"`},
		{"zero beta", Config{Bottleneck: 2, Kind: "vae", Beta: ptr(0.0)}, "beta", "from 0.0001 to 100"},
		{"negative beta", Config{Bottleneck: 2, Kind: "vae", Beta: ptr(-1.0)}, "beta", "from 0.0001 to 100"},
		{"huge beta", Config{Bottleneck: 2, Kind: "vae", Beta: ptr(1e6)}, "beta", "from 0.0001 to 100"},
		{"denormal beta", Config{Bottleneck: 2, Kind: "vae", Beta: ptr(5e-324)}, "beta", "from 0.0001 to 100"},
		{"NaN beta", Config{Bottleneck: 2, Kind: "vae", Beta: ptr(math.NaN())}, "beta", "from 0.0001 to 100"},
		{"relu code", Config{Bottleneck: 2, Kind: "vae", BottleneckActivation: "relu"}, "bottleneck_activation", "Gaussian"},
		{"negative sparsity", Config{Bottleneck: 2, Sparsity: -0.1}, "sparsity", "between 0 (off) and 10"},
		{"huge sparsity", Config{Bottleneck: 2, Sparsity: 11}, "sparsity", "between 0 (off) and 10"},
		{"negative decay", Config{Bottleneck: 2, WeightDecay: -1e-3}, "weight_decay", "between 0 (off) and 1"},
		{"NaN decay", Config{Bottleneck: 2, WeightDecay: math.NaN()}, "weight_decay", "between 0 (off) and 1"},
	} {
		_, fe := Validate(tc.cfg, testRegistry, DefaultLimits())
		msg, ok := fe.Map()[tc.field]
		if !ok || !strings.Contains(msg, tc.says) {
			t.Errorf("%s: errors %v; want %s to say %q", tc.name, fe, tc.field, tc.says)
		}
	}
}

// TestVAETrainingReportsParts trains a small regularised VAE and checks
// that its loss points carry the reconstruction and KL parts (and the
// penalties on training points), that loss = reconstruction + KL, and that
// the reconstruction falls.
func TestVAETrainingReportsParts(t *testing.T) {
	m := newTestManager(t, Options{})
	c := small()
	c.Kind, c.Loss, c.Sparsity, c.WeightDecay = "vae", "bce", 0.01, 1e-4
	s, _, err := m.Create(c)
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, s)
	h, err := s.History()
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Train) < 2 || len(h.Test) < 2 {
		t.Fatalf("%d train and %d test points", len(h.Train), len(h.Test))
	}
	for _, pts := range [][]LossPoint{h.Train, h.Test} {
		for _, p := range pts {
			if p.Reconstruction == nil || p.KL == nil {
				t.Fatalf("point %+v lacks the reconstruction or KL part", p)
			}
			if d := math.Abs(*p.Reconstruction + *p.KL - p.Loss); d > 1e-9*p.Loss {
				t.Fatalf("point %+v: loss is not reconstruction + KL", p)
			}
		}
	}
	if p := h.Train[0]; p.Sparsity == nil || p.WeightDecay == nil || !(*p.Sparsity > 0 && *p.WeightDecay > 0) {
		t.Fatalf("training point %+v lacks the penalties", p)
	}
	if p := h.Test[0]; p.Sparsity != nil || p.WeightDecay != nil {
		t.Fatalf("test point %+v carries training penalties", p)
	}
	first, last := h.Test[0], h.Test[len(h.Test)-1]
	if !(*last.Reconstruction < *first.Reconstruction) || !(*last.KL > 0) {
		t.Fatalf("test reconstruction %v → %v, KL %v: want it to fall and KL > 0", *first.Reconstruction, *last.Reconstruction, *last.KL)
	}
	// Per example, summed over 784 pixels: BCE is hundreds of nats at
	// first, not a mean below 1.
	if *first.Reconstruction < 50 {
		t.Fatalf("initial test reconstruction %v nats: not a sum over the pixels", *first.Reconstruction)
	}
	snap, err := s.Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float32, 3*784)
	snap.Generate(out, 3, 1)
}

// TestAETrainingHasNoParts checks that a plain autoencoder's loss points
// stay as they were: no parts unless a penalty is on.
func TestAETrainingHasNoParts(t *testing.T) {
	m := newTestManager(t, Options{})
	c := small()
	c.Epochs = 1
	s, _, err := m.Create(c)
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, s)
	h, err := s.History()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range append(h.Train, h.Test...) {
		if p.Reconstruction != nil || p.KL != nil || p.Sparsity != nil || p.WeightDecay != nil {
			t.Fatalf("plain AE point %+v carries parts", p)
		}
	}
}
