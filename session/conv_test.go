package session

import (
	"strings"
	"testing"

	"github.com/aelab/aelab/ae"
)

// convConfig is the reference convolutional autoencoder on a slice of MNIST.
func convConfig() Config {
	c := small()
	c.Encoder, c.Bottleneck = []int{}, 32
	c.Conv = []ae.ConvLayer{{Filters: 16, Kernel: 3, Stride: 2}, {Filters: 32, Kernel: 3, Stride: 2}}
	return c
}

// TestValidateConv checks that the conv field reaches the engine: the
// summary counts the convolutions' parameters (PyTorch's CAE has 111,521).
func TestValidateConv(t *testing.T) {
	c, fe := Validate(convConfig(), testRegistry, DefaultLimits())
	if len(fe) != 0 {
		t.Fatal(fe)
	}
	s := Summarize(c, 784)
	if s.Params != 111521 || len(s.Conv) != 2 {
		t.Fatalf("summary %+v; want 111521 parameters and 2 conv layers", s)
	}
	if dense := ParamCount(c.Sizes(784)); dense == s.Params {
		t.Fatalf("the summary counts only the dense layers (%d)", dense)
	}
	ac := aeConfig(c, 784)
	if ac.Image != (ae.ImageShape{Channels: 1, Height: 28, Width: 28}) || len(ac.Conv) != 2 {
		t.Fatalf("engine config: image %+v, conv %v", ac.Image, ac.Conv)
	}
}

// TestValidateConvRefusals checks that each mistake in conv is refused on
// that field with a message that says what is wrong.
func TestValidateConvRefusals(t *testing.T) {
	cases := []struct {
		name string
		edit func(c *Config)
		want string
	}{
		{"not images", func(c *Config) { c.Dataset = "swiss_roll"; c.Bottleneck = 2 }, "not an image dataset"},
		{"even kernel", func(c *Config) { c.Conv[1].Kernel = 2 }, "conv layer 2: kernel = 2; it must be odd"},
		{"zero filters", func(c *Config) { c.Conv[0].Filters = 0 }, "conv layer 1: filters = 0"},
		{"zero stride", func(c *Config) { c.Conv[0].Stride = 0 }, "conv layer 1: stride = 0"},
		{"shrinks away", func(c *Config) {
			for range 3 {
				c.Conv = append(c.Conv, ae.ConvLayer{Filters: 8, Kernel: 3, Stride: 2})
			}
		}, "conv layer 5: its 2×2 input is smaller than its 3×3 kernel"},
		{"too big", func(c *Config) {
			c.Conv = []ae.ConvLayer{{Filters: 256, Kernel: 3, Stride: 1}, {Filters: 256, Kernel: 3, Stride: 1}}
			c.BatchSize = 256
		}, "MB of buffers"},
	}
	for _, tc := range cases {
		c := convConfig()
		tc.edit(&c)
		_, fe := Validate(c, testRegistry, DefaultLimits())
		var msg string
		for _, e := range fe {
			if e.Field == "conv" {
				msg = e.Message
			}
		}
		if !strings.Contains(msg, tc.want) {
			t.Errorf("%s: conv error %q (all: %v); want one mentioning %q", tc.name, msg, fe, tc.want)
		}
	}
}

// TestConvSessionTrains trains a convolutional session for one epoch on
// 256 MNIST images and checks that its test loss went down.
func TestConvSessionTrains(t *testing.T) {
	m := newTestManager(t, Options{})
	c := convConfig()
	c.Epochs, c.TrainSize, c.TestSize = 1, 256, 200
	s, _, err := m.Create(c)
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, s)
	if st := s.State(); st != Completed {
		t.Fatalf("state %v", st)
	}
	h, err := s.History()
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Test) < 2 || !(h.Test[len(h.Test)-1].Loss < h.Test[0].Loss) {
		t.Fatalf("test loss did not go down: %+v", h.Test)
	}
}

// TestConvNetworkText checks how a convolutional model's layers are written.
func TestConvNetworkText(t *testing.T) {
	c, fe := Validate(convConfig(), testRegistry, DefaultLimits())
	if len(fe) != 0 {
		t.Fatal(fe)
	}
	if got, want := Summarize(c, 784).Network(), "784 → conv 16 → conv 32 → 32 → convᵀ 16 → 784"; got != want {
		t.Errorf("Network() = %q; want %q", got, want)
	}
	if got := Summarize(small(), 784).Network(); got != "784 → 32 → 2 → 784" { // not validated: no decoder
		t.Errorf("dense Network() = %q", got)
	}
}

// TestDenseVersusConvComparison puts a dense and a convolutional
// autoencoder with the same code width side by side: the comparison names
// what differs (the layers), labels the members by it, and each member's
// summary carries its own parameter count.
func TestDenseVersusConvComparison(t *testing.T) {
	m := newTestManager(t, Options{})
	st := newTestStore(t, m)
	dense := small()
	dense.Encoder, dense.Bottleneck, dense.Epochs, dense.TrainSize, dense.TestSize = []int{256}, 32, 1, 128, 100
	conv := convConfig()
	conv.Epochs, conv.TrainSize, conv.TestSize = 1, 128, 100
	var ids []string
	for _, c := range []Config{dense, conv} {
		s, _, err := m.Create(c)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID())
	}
	g, err := st.Group(ids)
	if err != nil {
		t.Fatal(err)
	}
	in := g.Info()
	texts := map[string]string{}
	for _, d := range in.Differs {
		texts[d.Field] = d.Text
	}
	if texts["conv"] != "conv: none vs 16/3/2, 32/3/2" || texts["encoder"] != "encoder: 256 vs none" || len(texts) != 3 {
		t.Errorf("differs = %+v", in.Differs)
	}
	if got := strings.Join(g.Labels(), " | "); got != "encoder 256 · decoder 256 · dense | encoder none · decoder none · conv 16/3/2, 32/3/2" {
		t.Errorf("labels = %q", got)
	}
	params := []int{in.Members[0].Session.Summary.Params, in.Members[1].Session.Summary.Params}
	if params[0] != ParamCount([]int{784, 256, 32, 256, 784}) || params[1] != 111521 {
		t.Errorf("parameter counts %v; want the dense network's and the convolutional one's 111521", params)
	}
	for _, s := range g.Sessions() {
		waitDone(t, s)
	}
}

// TestValidateConvVAE checks that conv composes with kind "vae": the code
// layer doubles (μ and log σ²) after the convolutions.
func TestValidateConvVAE(t *testing.T) {
	c := convConfig()
	c.Kind, c.Loss = "vae", "bce"
	v, fe := Validate(c, testRegistry, DefaultLimits())
	if len(fe) != 0 {
		t.Fatal(fe)
	}
	if got, want := Summarize(v, 784).Params, 111521+1569*32; got != want {
		t.Errorf("a convolutional VAE has %d parameters; want %d (the CAE's and a log σ² head)", got, want)
	}
}
