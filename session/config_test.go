package session

import (
	"strings"
	"testing"

	"github.com/aelab/aelab/datasets"
)

var testRegistry = datasets.NewRegistry("")

func TestValidateDefaults(t *testing.T) {
	c, fe := Validate(Config{Bottleneck: 50}, testRegistry, DefaultLimits())
	if len(fe) != 0 {
		t.Fatalf("unexpected errors: %v", fe)
	}
	want := []int{784, 256, 50, 256, 784}
	if got := c.Sizes(784); !equalInts(got, want) {
		t.Fatalf("sizes = %v, want %v", got, want)
	}
	if c.Dataset != "mnist" || c.Activation != "relu" || c.OutputActivation != "sigmoid" || c.Loss != "mse" ||
		c.Optimizer != "adam" || c.LearningRate != 0.001 || c.BatchSize != 64 || c.Epochs != 5 {
		t.Fatalf("defaults not applied: %+v", c)
	}
	s := Summarize(c, 784)
	if s.Params != 785*256+257*50+51*256+257*784 {
		t.Fatalf("params = %d", s.Params)
	}
	if s.Ratio < 15.67 || s.Ratio > 15.69 {
		t.Fatalf("ratio = %v, want 15.68", s.Ratio)
	}
}

// A missing bottleneck activation is linear: a ReLU code leaves dead units (the
// swiss roll at M = 2 collapses onto a line), so the default must not be ReLU.
func TestValidateDefaultBottleneckIsLinear(t *testing.T) {
	c, fe := Validate(Config{Bottleneck: 2, Activation: "relu"}, testRegistry, DefaultLimits())
	if len(fe) != 0 {
		t.Fatal(fe)
	}
	if c.BottleneckActivation != "linear" {
		t.Fatalf("bottleneck activation defaults to %q, want linear", c.BottleneckActivation)
	}
	c, _ = Validate(Config{Bottleneck: 2, BottleneckActivation: "tanh"}, testRegistry, DefaultLimits())
	if c.BottleneckActivation != "tanh" {
		t.Fatalf("a chosen bottleneck activation became %q", c.BottleneckActivation)
	}
}

func TestValidateDecoderMirrorsEncoder(t *testing.T) {
	c, fe := Validate(Config{Encoder: []int{512, 128}, Bottleneck: 16}, testRegistry, DefaultLimits())
	if len(fe) != 0 {
		t.Fatal(fe)
	}
	if !equalInts(c.Decoder, []int{128, 512}) {
		t.Fatalf("decoder = %v, want the mirror [128 512]", c.Decoder)
	}
	c, fe = Validate(Config{Encoder: []int{}, Bottleneck: 16}, testRegistry, DefaultLimits())
	if len(fe) != 0 || len(c.Encoder) != 0 || len(c.Decoder) != 0 {
		t.Fatalf("empty encoder should mean no hidden layers: %+v %v", c, fe)
	}
}

func TestValidateRefusals(t *testing.T) {
	cases := []struct {
		name  string
		cfg   Config
		field string
		says  string
	}{
		{"bottleneck equal to K", Config{Bottleneck: 784}, "bottleneck", "smaller than the 784 input features"},
		{"bottleneck missing", Config{}, "bottleneck", `"bottleneck" is missing: give the width of the code, 1 to 783`},
		{"negative bottleneck", Config{Bottleneck: -3}, "bottleneck", "between 1 and 783"},
		{"unknown dataset", Config{Dataset: "cifar", Bottleneck: 2}, "dataset", "choose one of"},
		{"bce with linear output", Config{Bottleneck: 8, Loss: "bce", OutputActivation: "linear"}, "output_activation", "sigmoid"},
		{"unknown activation", Config{Bottleneck: 8, Activation: "swish"}, "activation", "relu"},
		{"zero width layer", Config{Bottleneck: 8, Encoder: []int{0}}, "encoder", "between 1 and 4096"},
		{"too deep", Config{Bottleneck: 8, Encoder: []int{8, 8, 8, 8, 8, 8, 8}}, "encoder", "at most 6"},
		{"huge model", Config{Bottleneck: 8, Encoder: []int{4096, 4096}}, "encoder", "parameters"},
		{"negative learning rate", Config{Bottleneck: 8, LearningRate: -1}, "learning_rate", "greater than 0"},
		{"batch too big", Config{Bottleneck: 8, TrainSize: 100, BatchSize: 200}, "batch_size", "between 1 and 100"},
		{"too many examples", Config{Bottleneck: 8, TrainSize: 60001}, "train_size", "between 1 and 60000"},
		{"too many epochs", Config{Bottleneck: 8, Epochs: 1000}, "epochs", "between 1 and 200"},
		{"too much work", Config{Bottleneck: 8, Epochs: 150}, "epochs", "more than this server allows"},
		{"unknown optimizer", Config{Bottleneck: 8, Optimizer: "lbfgs"}, "optimizer", "adam"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, fe := Validate(tc.cfg, testRegistry, DefaultLimits())
			msg, ok := fe.Map()[tc.field]
			if !ok {
				t.Fatalf("no error for field %q; got %v", tc.field, fe)
			}
			if !strings.Contains(msg, tc.says) {
				t.Fatalf("message %q does not say %q", msg, tc.says)
			}
			err := fe.Err()
			if ErrorCode(err) != EInvalid {
				t.Fatalf("code = %v, want invalid", ErrorCode(err))
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
