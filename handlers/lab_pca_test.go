package handlers

import (
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/datasets"
	"github.com/aelab/aelab/internal/lab"
	"github.com/aelab/aelab/session"
)

// TestPCAProjectionAgreesWithFitPCA: the endpoint's scatter and error are
// those of ae.FitPCA fitted here on the same training examples, projected
// and measured here on the same test examples.
func TestPCAProjectionAgreesWithFitPCA(t *testing.T) {
	ts := newTestServer(t)
	const train, test = 300, 200
	c := ts.create(t, `{"encoder":[],"activation":"linear","output_activation":"linear","bottleneck":3,"train_size":300,"test_size":200,"batch_size":32,"epochs":1,"seed":2}`)

	ds, err := datasets.LoadMNIST()
	if err != nil {
		t.Fatal(err)
	}
	d := ds.Features
	p, err := ae.FitPCA(ds.Train.Rows(nil, 0, train), train, d, 3)
	if err != nil {
		t.Fatal(err)
	}
	n := session.LatentExamples(ds)
	want := make([]float32, n*2)
	p.Project(want, ds.Test.Rows(nil, 0, n), n, 2)
	wantMSE := p.ReconstructionMSE(ds.Test.Rows(nil, 0, test), test, 3)

	var got lab.PCAProjection
	ts.call(t, "GET", "/api/sessions/"+c.ID+"/pca-projection", "", &got)
	if got.K != 3 || got.Components != 3 || got.FitRows != train || got.TestRows != test || got.Projection != "pca" ||
		len(got.X) != n || len(got.Y) != n || len(got.Labels) != n || len(got.Explained) != 3 || len(got.ClassNames) != 10 {
		t.Fatalf("k %d, components %d, fit %d, test %d, %q, %d/%d/%d points, %d ratios",
			got.K, got.Components, got.FitRows, got.TestRows, got.Projection, len(got.X), len(got.Y), len(got.Labels), len(got.Explained))
	}
	for i := range n {
		if math.Abs(float64(got.X[i]-want[2*i])) > 1e-4 || math.Abs(float64(got.Y[i]-want[2*i+1])) > 1e-4 {
			t.Fatalf("point %d at (%g, %g); FitPCA/Project puts it at (%g, %g)", i, got.X[i], got.Y[i], want[2*i], want[2*i+1])
		}
		if got.Labels[i] != ds.Test.Labels[i] {
			t.Fatalf("label %d = %d, want %d", i, got.Labels[i], ds.Test.Labels[i])
		}
	}
	if math.Abs(got.MSE-wantMSE) > 1e-9*wantMSE {
		t.Fatalf("mse %g, FitPCA gives %g", got.MSE, wantMSE)
	}
	ratio := p.ExplainedVarianceRatio()
	if math.Abs(got.Explained[0]-ratio[0]) > 1e-9 || !strings.HasPrefix(got.Axes[0], "PC1 (") || !strings.HasPrefix(got.Axes[1], "PC2 (") {
		t.Fatalf("explained %v (want %v), axes %q", got.Explained, ratio, got.Axes)
	}

	// Fewer components: a larger error, and a one-dimensional scatter.
	var one lab.PCAProjection
	ts.call(t, "GET", "/api/sessions/"+c.ID+"/pca-projection?k=1", "", &one)
	if one.Components != 1 || !(one.MSE > got.MSE) || one.Axes[1] != "" {
		t.Fatalf("k=1: %d components, mse %g (k=3: %g), axes %q", one.Components, one.MSE, got.MSE, one.Axes)
	}
	for i, y := range one.Y {
		if y != 0 || math.Abs(float64(one.X[i]-want[2*i])) > 1e-4 {
			t.Fatalf("k=1 point %d at (%g, %g)", i, one.X[i], y)
		}
	}

	for _, q := range []string{"k=0", "k=784", "k=two", "k=-1"} {
		res, b := ts.do(t, "GET", "/api/sessions/"+c.ID+"/pca-projection?"+q, "", nil)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), `"field": "k"`) {
			t.Errorf("%s: %d %s", q, res.StatusCode, b)
		}
	}
	if res, b := ts.do(t, "GET", "/api/sessions/nosuchid/pca-projection", "", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown session: %d %s", res.StatusCode, b)
	}
}

// TestPCALabStartsALinearAndANonLinearAutoencoder checks the lab's two
// configurations and its refusals.
func TestPCALabStartsALinearAndANonLinearAutoencoder(t *testing.T) {
	ts := newTestServer(t)
	ss := ts.startLab(t, "pca", url.Values{})
	if len(ss) != 2 {
		t.Fatalf("%d sessions", len(ss))
	}
	lin, deep := ss[0].Config(), ss[1].Config()
	if lin.Bottleneck != 8 || deep.Bottleneck != 8 || len(lin.Encoder) != 0 || len(lin.Decoder) != 0 ||
		lin.Activation != "linear" || lin.BottleneckActivation != "linear" || lin.OutputActivation != "linear" || lin.Loss != "mse" {
		t.Fatalf("linear autoencoder: %+v", lin)
	}
	if len(deep.Encoder) != 1 || deep.Activation != "relu" || deep.BottleneckActivation != "linear" || deep.OutputActivation != "sigmoid" ||
		deep.Loss != "mse" || deep.Seed != lin.Seed || deep.TrainSize != 10000 || lin.TrainSize != 10000 {
		t.Fatalf("non-linear autoencoder: %+v", deep)
	}
	ss = ts.startLab(t, "pca", url.Values{"bottleneck": {"2"}, "train_size": {"600"}})
	if c := ss[1].Config(); c.Bottleneck != 2 || c.TrainSize != 600 || ss[0].Config().Bottleneck != 2 {
		t.Fatalf("with options: %+v", c)
	}
	before := len(ts.m.List())
	for _, form := range []url.Values{{"bottleneck": {"0"}}, {"bottleneck": {"65"}}, {"train_size": {"100"}}, {"train_size": {"many"}}} {
		res, b := ts.do(t, "POST", "/labs/pca/start", form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "field-error") {
			t.Errorf("%v: %d", form, res.StatusCode)
		}
	}
	if n := len(ts.m.List()); n != before {
		t.Fatalf("refused forms started %d sessions", n-before)
	}
}
