package session

import (
	"strings"
	"testing"

	"github.com/aelab/aelab/datasets"
)

// A field given with an out-of-range value (0 included) is refused naming
// it; only a missing field gets its default.
func TestValidateGivenZerosAreRefused(t *testing.T) {
	reg := datasets.NewRegistry("")
	for _, field := range []string{"learning_rate", "batch_size", "epochs", "train_size", "test_size"} {
		c := Config{Bottleneck: 8}
		c.MarkGiven(field)
		_, fe := Validate(c, reg, DefaultLimits())
		if _, ok := fe.Map()[field]; !ok {
			t.Errorf("%s given as 0: errors %v, want one on %s", field, fe.Map(), field)
		}
		// The same config without the mark gets the default.
		if _, fe := Validate(Config{Bottleneck: 8}, reg, DefaultLimits()); len(fe) > 0 {
			t.Fatalf("missing fields: %v", fe)
		}
	}
	for _, field := range []string{"activation", "bottleneck_activation", "loss", "optimizer", "output_activation", "dataset", "kind"} {
		c := Config{Bottleneck: 8}
		c.MarkGiven(field)
		if _, fe := Validate(c, reg, DefaultLimits()); fe.Map()[field] == "" {
			t.Errorf("%s given as \"\": errors %v, want one on %s", field, fe.Map(), field)
		}
	}
}

// Anything the engine would refuse is refused at creation, on the field
// that can fix it: here batch × Σ layer widths over ae.MaxBatchWork.
func TestValidateCallsTheEngineCheck(t *testing.T) {
	reg := datasets.NewRegistry("")
	lim := DefaultLimits()
	lim.MaxParams = 1 << 30
	c := Config{Encoder: []int{4096, 1, 4096, 1, 4096, 1}, Bottleneck: 1, Decoder: []int{1, 4096, 1, 4096, 1, 4096},
		BatchSize: 4096, Epochs: 1, Activation: "linear"}
	_, fe := Validate(c, reg, lim)
	msg := fe.Map()["batch_size"]
	if msg == "" || !strings.Contains(msg, "at most") {
		t.Fatalf("errors %v, want a batch_size message saying what fits", fe.Map())
	}
	c.BatchSize = 16
	if _, fe := Validate(c, reg, lim); len(fe) > 0 {
		t.Errorf("batch 16: %v", fe)
	}
}

func TestValidateFloat32ZeroLearningRate(t *testing.T) {
	reg := datasets.NewRegistry("")
	_, fe := Validate(Config{Bottleneck: 8, LearningRate: 1e-320}, reg, DefaultLimits())
	if fe.Map()["learning_rate"] == "" {
		t.Errorf("1e-320 accepted: %v", fe.Map())
	}
}

func TestValidateNegativeTrainSizeMessages(t *testing.T) {
	reg := datasets.NewRegistry("")
	c := Config{Bottleneck: 8, TrainSize: -3, BatchSize: 64}
	_, fe := Validate(c, reg, DefaultLimits())
	m := fe.Map()
	if m["train_size"] == "" {
		t.Fatalf("train_size -3 accepted: %v", m)
	}
	for f, msg := range m {
		if strings.Contains(msg, "-3") && f != "train_size" {
			t.Errorf("%s: %q mentions -3", f, msg)
		}
	}
	if _, ok := m["batch_size"]; ok {
		t.Errorf("batch 64 refused because of the train size: %q", m["batch_size"])
	}
}
