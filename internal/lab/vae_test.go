package lab

import (
	"reflect"
	"testing"
)

// TestVAEConfigsDifferOnlyInBeta: one configuration per β, in the order of
// VAEBetas, each with its own β (changing one leaves the others), and
// nothing else different: same data, network, seed and training.
func TestVAEConfigsDifferOnlyInBeta(t *testing.T) {
	cs := VAEConfigs(1234)
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
