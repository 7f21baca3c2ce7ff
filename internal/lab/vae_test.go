package lab

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aelab/aelab/session"
)

// TestVAEConfigsDifferOnlyInBeta: one configuration per β, in the order of
// VAEBetas, each with its own β (changing one leaves the others), and
// nothing else different: same data, network, seed and training.
func TestVAEConfigsDifferOnlyInBeta(t *testing.T) {
	cs := VAEConfigs(1234, VAEBetas)
	if len(cs) != len(VAEBetas) {
		t.Fatalf("%d configurations for %d betas", len(cs), len(VAEBetas))
	}
	for i, c := range cs {
		if !c.IsVAE() || c.BetaValue() != VAEBetas[i] || c.Bottleneck != 2 || c.TrainSize != 1234 || c.Epochs != VAEEpochs {
			t.Fatalf("config %d: kind %q β %g, %d units, %d examples, %d epochs", i, c.Kind, c.BetaValue(), c.Bottleneck, c.TrainSize, c.Epochs)
		}
	}
	*cs[0].Beta = 7
	if cs[1].BetaValue() != VAEBetas[1] || VAEBetas[0] != 0.1 {
		t.Fatal("the configurations share their β")
	}
	a, b := cs[1], cs[2]
	a.Beta, b.Beta = nil, nil
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("configurations differ beyond β:\n%+v\n%+v", a, b)
	}
}

// TestParseVAEBetas: blank gives the defaults; 2 or 3 distinct values in
// [MinBeta, MaxBeta] come back sorted; anything else is refused on "betas"
// saying why.
func TestParseVAEBetas(t *testing.T) {
	for in, want := range map[string][]float64{
		"": {0.1, 1, 4}, "  ": {0.1, 1, 4}, "4, 0.1, 1": {0.1, 1, 4}, "0.5 2": {0.5, 2}, "1;100": {1, 100}, "1e-3, 1e1": {0.001, 10},
	} {
		got, err := ParseVAEBetas(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("ParseVAEBetas(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, says := range map[string]string{
		"1": "1 values", "0.1, 1, 4, 8": "4 values", "0, 1": "β = 0 is out of range", "-1, 1": "out of range",
		"1, 101": "β = 101 is out of range", "1e-5, 1": "β = 1e-5 is out of range: write 2 or 3 different values of β from 0.0001 to 100", "1, 1": "listed twice", "1, x": `"x" is not a number`, "1, NaN": "not a number", "1, Inf": "not a number",
	} {
		_, err := ParseVAEBetas(in)
		if session.ErrorField(err) != "betas" || session.ErrorCode(err) != session.EInvalid || !strings.Contains(session.ErrorMessage(err), says) {
			t.Errorf("ParseVAEBetas(%q): %v; want refused on betas saying %q", in, err, says)
		}
	}
	d, _ := ParseVAEBetas("")
	d[0] = 9
	if VAEBetas[0] != 0.1 {
		t.Fatal("the defaults were handed out, not copied")
	}
}
