package session

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

func TestDenoisingRunStreamsPSNRAndNoisyInputs(t *testing.T) {
	m := newTestManager(t, Options{})
	c := small()
	c.Encoder, c.Bottleneck, c.Epochs, c.TrainSize, c.TestSize = []int{128}, 32, 3, 4000, 500
	c.Noise = &NoiseConfig{Kind: "gaussian", Level: 0.4}
	s, _, err := m.Create(c)
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, s)
	if s.State() != Completed {
		t.Fatalf("state %s: %s", s.State(), s.Info().Error)
	}
	snap := collect(t, s.Subscribe(), 5*time.Second)[0]
	var metrics map[string][]MetricPoint
	b, _ := json.Marshal(snap["metrics"])
	if err := json.Unmarshal(b, &metrics); err != nil {
		t.Fatal(err)
	}
	in, out := metrics["psnr_noisy"], metrics["psnr_denoised"]
	if len(in) != 4 || len(out) != 4 {
		t.Fatalf("PSNR points: %d noisy, %d denoised; want one per epoch plus the start (4)", len(in), len(out))
	}
	// Gaussian noise of σ = 0.4 on [0,1] images gives a low PSNR; a trained
	// denoiser must do clearly better than its noisy input by the end.
	if in[3].Value > 12 || out[3].Value < in[3].Value+3 {
		t.Fatalf("PSNR noisy %.2f dB, denoised %.2f dB: the denoiser does not denoise", in[3].Value, out[3].Value)
	}
	var rec Reconstructions
	b, _ = json.Marshal(snap["reconstructions"])
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.Inputs) != len(rec.Originals) || string(rec.Inputs) == string(rec.Originals) {
		t.Fatal("reconstructions of a denoising run must carry the noisy inputs, different from the clean originals")
	}
}

func TestAnomalyRunScoresTheLeftOutClass(t *testing.T) {
	m := newTestManager(t, Options{})
	c := small()
	c.Bottleneck, c.Epochs, c.TrainSize, c.TestSize = 8, 4, 2000, 1000
	c.Encoder = []int{64}
	c.TrainClasses = []int{1, 2, 3, 4, 5, 6, 7, 8, 9} // every digit but 0
	s, _, err := m.Create(c)
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, s)
	snap := collect(t, s.Subscribe(), 5*time.Second)[0]
	var an Anomaly
	b, _ := json.Marshal(snap["anomaly"])
	if err := json.Unmarshal(b, &an); err != nil {
		t.Fatal(err)
	}
	if len(an.Scores) != 1000 || len(an.Labels) != 1000 || len(an.ROC) < 2 {
		t.Fatalf("anomaly: %d scores, %d labels, %d ROC points", len(an.Scores), len(an.Labels), len(an.ROC))
	}
	first, last := an.ROC[0], an.ROC[len(an.ROC)-1]
	if first.FPR != 0 || first.TPR != 0 || last.FPR != 1 || last.TPR != 1 {
		t.Fatalf("ROC runs from %+v to %+v, want (0,0) to (1,1)", first, last)
	}
	// Zeros, never seen in training, reconstruct worse than the digits the
	// model learnt: the reconstruction error flags them well above chance.
	t.Logf("AUC with zeros as anomalies: %.3f", an.AUC)
	if an.AUC < 0.7 {
		t.Fatalf("AUC %.3f: the left-out class is not flagged", an.AUC)
	}
	if an.Gallery.Count != 12 || len(an.Gallery.Originals) != 12*784 {
		t.Fatalf("gallery: %d examples, %d bytes", an.Gallery.Count, len(an.Gallery.Originals))
	}
	for i := 1; i < len(an.Gallery.Scores); i++ {
		if an.Gallery.Scores[i] > an.Gallery.Scores[i-1] {
			t.Fatalf("gallery not sorted by score: %v", an.Gallery.Scores)
		}
	}
}

func TestLabConfigRefusals(t *testing.T) {
	for name, c := range map[string]Config{
		"noise level":      {Bottleneck: 8, Noise: &NoiseConfig{Kind: "gaussian", Level: -1}},
		"noise kind":       {Bottleneck: 8, Noise: &NoiseConfig{Kind: "pink", Level: 0.1}},
		"class range":      {Bottleneck: 8, TrainClasses: []int{10}},
		"duplicate class":  {Bottleneck: 8, TrainClasses: []int{1, 1}},
		"every class":      {Bottleneck: 8, TrainClasses: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		"masking fraction": {Bottleneck: 8, Noise: &NoiseConfig{Kind: "masking", Level: 1.5}},
		"noise level 0":    {Bottleneck: 8, Noise: &NoiseConfig{Kind: "gaussian", Level: 0}},
	} {
		_, fe := Validate(c, testRegistry, DefaultLimits())
		if len(fe) == 0 {
			t.Errorf("%s: accepted %+v", name, c)
		}
	}
}

func TestSnapshotServesLiveAndFinishedModels(t *testing.T) {
	m := newTestManager(t, Options{})
	long := small()
	long.TrainSize, long.Epochs, long.TestSize = 60000, 20, 200
	s, _, err := m.Create(long)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		b, err := s.Snapshot(ctx)
		return err == nil && b.Steps() > a.Steps()
	})
	_ = s.Stop()
	waitDone(t, s)
	final, err := s.Snapshot(ctx)
	if err != nil || final.Steps() != s.Info().Step {
		t.Fatalf("final snapshot: %v, steps %d vs session %d", err, final.Steps(), s.Info().Step)
	}
	if s.Dataset() == nil || s.Dataset().Features != 784 {
		t.Fatal("dataset not exposed")
	}
}
