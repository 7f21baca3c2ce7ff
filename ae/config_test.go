package ae

import (
	"errors"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	if err := smallConfig().Validate(); err != nil {
		t.Fatalf("smallConfig: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string // substring of the error
	}{
		{"too few sizes", func(c *Config) { c.Sizes = []int{4, 4} }, "at least 3"},
		{"zero width", func(c *Config) { c.Sizes = []int{6, 0, 6} }, "Sizes[1] = 0"},
		{"huge width", func(c *Config) { c.Sizes = []int{6, MaxWidth + 1, 6} }, "Sizes[1]"},
		{"in ≠ out", func(c *Config) { c.Sizes = []int{6, 3, 5} }, "differs from input width"},
		{"bottleneck at input", func(c *Config) { c.Bottleneck = 0 }, "Bottleneck = 0"},
		{"bottleneck at output", func(c *Config) { c.Bottleneck = 4 }, "Bottleneck = 4"},
		{"hidden", func(c *Config) { c.Hidden = "softplus" }, "Hidden activation"},
		{"empty output", func(c *Config) { c.Output = "" }, "Output activation"},
		{"loss", func(c *Config) { c.Loss = "huber" }, "Loss"},
		{"bce needs sigmoid", func(c *Config) { c.Loss, c.Output = BCE, Linear }, "needs a \"sigmoid\" output"},
		{"optimizer", func(c *Config) { c.Optimizer.Kind = "rmsprop" }, "unknown kind"},
		{"zero lr", func(c *Config) { c.Optimizer.LearningRate = 0 }, "learning rate"},
		{"NaN lr", func(c *Config) { c.Optimizer.LearningRate = nan() }, "learning rate"},
		{"momentum ≥ 1", func(c *Config) { c.Optimizer.Momentum = 1 }, "momentum"},
		{"beta2 < 0", func(c *Config) { c.Optimizer.Beta2 = -0.1 }, "betas"},
		{"negative eps", func(c *Config) { c.Optimizer.Epsilon = -1 }, "epsilon"},
		{"negative decay", func(c *Config) { c.Optimizer.WeightDecay = -1 }, "weight decay"},
		{"nesterov with adam", func(c *Config) { c.Optimizer.Nesterov = true }, "Nesterov"},
		{"batch", func(c *Config) { c.BatchSize = 0 }, "BatchSize = 0"},
		{"workers", func(c *Config) { c.Workers = -1 }, "Workers = -1"},
		{"params", func(c *Config) { c.Sizes, c.Bottleneck = []int{10000, 10000, 10000}, 1 }, "parameters"},
		{"batch work", func(c *Config) { c.BatchSize, c.Sizes, c.Bottleneck = MaxBatchSize, []int{2000, 10, 2000}, 1 }, "BatchSize ×"},
	} {
		c := smallConfig()
		tc.edit(&c)
		err := c.Validate()
		if err == nil || !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate() = %v; want an ErrInvalidConfig mentioning %q", tc.name, err, tc.want)
		}
		if m, err2 := New(c); m != nil || err2 == nil {
			t.Errorf("%s: New accepted the config", tc.name)
		}
	}
	// Fields that may legitimately vary.
	c := smallConfig()
	c.Optimizer = Optimizer{Kind: Momentum, LearningRate: 0.1, Nesterov: true, Momentum: 0.5}
	c.Sizes, c.Bottleneck = []int{6, 8, 6}, 1 // overcomplete: allowed, a lesson in itself
	c.Loss, c.Output, c.Hidden = BCE, Sigmoid, LeakyReLU
	if err := c.Validate(); err != nil {
		t.Errorf("valid config rejected: %v", err)
	}
}

func nan() float64 { var z float64; return z / z }

// TestNumParams checks the parameter count of the AES benchmark network
// worked out by hand:
// 784·256+256 + 256·50+50 + 50·256+256 + 256·784+784
// = 200960 + 12850 + 13056 + 201488 = 428354.
func TestNumParams(t *testing.T) {
	c := smallConfig()
	c.Sizes, c.Bottleneck = []int{784, 256, 50, 256, 784}, 2
	if got := c.NumParams(); got != 428354 {
		t.Errorf("Config.NumParams = %d; want 428354", got)
	}
	m := mustNew(t, c)
	if m.NumParams() != 428354 || m.InputDim() != 784 || m.LatentDim() != 50 {
		t.Errorf("NumParams, InputDim, LatentDim = %d, %d, %d; want 428354, 784, 50",
			m.NumParams(), m.InputDim(), m.LatentDim())
	}
}
