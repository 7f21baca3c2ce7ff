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

// A field with no default (the bottleneck width) that is missing is refused
// as missing, wherever the configuration comes from; sent as 0 it is out of
// range like any other value. A sweep gives each width, 0 included.
func TestValidateMissingBottleneckIsNamedMissing(t *testing.T) {
	missing := `"bottleneck" is missing: give the width of the code, 1 to 783`
	if _, fe := Validate(Config{}, testRegistry, DefaultLimits()); fe.Map()["bottleneck"] == "" || !strings.Contains(fe.Map()["bottleneck"], missing) {
		t.Errorf("missing: %v", fe.Map())
	}
	zero := Config{}
	zero.MarkGiven("bottleneck")
	if _, fe := Validate(zero, testRegistry, DefaultLimits()); !strings.Contains(fe.Map()["bottleneck"], "must be between 1 and 783") {
		t.Errorf("given as 0: %v", fe.Map())
	}
	// A model file's configuration is read as a POST body.
	for _, tc := range []struct{ raw, says string }{
		{`{"dataset":"mnist","encoder":[8]}`, missing},
		{`{"dataset":"mnist","encoder":[8],"bottleneck":0}`, "must be between 1 and 783"},
	} {
		c, err := DecodeConfigJSON([]byte(tc.raw))
		if err != nil {
			t.Fatal(err)
		}
		if _, fe := Validate(c, testRegistry, DefaultLimits()); !strings.Contains(fe.Map()["bottleneck"], tc.says) {
			t.Errorf("%s: %v, want bottleneck saying %q", tc.raw, fe.Map(), tc.says)
		}
	}
	// A sweep's width 0 is a width given: out of range, with the others out
	// of range in one message.
	m := newTestManager(t, Options{})
	st := newTestStore(t, m)
	msg := st.CheckSweep(tiny(), []int{0, 2, 900}).Map()["bottlenecks"]
	if !strings.Contains(msg, "widths 0, 900: bottleneck width must be between 1 and 783") || strings.Contains(msg, "missing") {
		t.Errorf("sweep widths 0, 2, 900: %q", msg)
	}
	// The base's marks are its own: checking a sweep does not mark them.
	base := tiny()
	base.MarkGiven("epochs")
	st.CheckSweep(base, []int{2, 4})
	if base.Given("bottleneck") {
		t.Error("CheckSweep marked the bottleneck of the base configuration")
	}
}
