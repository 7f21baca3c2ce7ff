package handlers

import (
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aelab/aelab/internal/lab"
	"github.com/aelab/aelab/session"
)

// TestManifoldGridShapeAndBounds: the grid has rows × cols images over the
// 2%–98% quantiles of the codes of the first 1000 test examples, z1 growing
// to the right and z2 upwards.
func TestManifoldGridShapeAndBounds(t *testing.T) {
	ts := newTestServer(t)
	id, _ := ts.trained(t, smallJSON)
	var mf lab.Manifold
	ts.call(t, "GET", "/api/sessions/"+id+"/manifold?rows=5&cols=7", "", &mf)
	if mf.Rows != 5 || mf.Cols != 7 || mf.Count != 35 || mf.Kind != "image" || len(mf.Data) != 35*784 || mf.Quantile != 0.02 {
		t.Fatalf("manifold: %d×%d, %d images, %d bytes, quantile %g", mf.Rows, mf.Cols, mf.Count, len(mf.Data), mf.Quantile)
	}
	idx := make([]int, 1000)
	for i := range idx {
		idx[i] = i
	}
	b, _ := json.Marshal(map[string]any{"examples": idx})
	var enc lab.Encoded
	ts.call(t, "POST", "/api/sessions/"+id+"/encode", string(b), &enc)
	for u := range 2 {
		col := make([]float64, len(enc.Codes))
		for i, c := range enc.Codes {
			col[i] = float64(c[u])
		}
		sort.Float64s(col)
		lo, hi := quantile7(col, 0.02), quantile7(col, 0.98)
		if !(lo < hi) || math.Abs(float64(mf.Bounds.Lo[u])-lo) > 1e-4*(1+math.Abs(lo)) || math.Abs(float64(mf.Bounds.Hi[u])-hi) > 1e-4*(1+math.Abs(hi)) {
			t.Fatalf("unit %d: bounds %g…%g, want the 2%%–98%% quantiles %g…%g", u, mf.Bounds.Lo[u], mf.Bounds.Hi[u], lo, hi)
		}
	}
	checkManifoldCorners(t, ts, id, mf)
	var def lab.Manifold
	ts.call(t, "GET", "/api/sessions/"+id+"/manifold", "", &def)
	if def.Rows != 12 || def.Cols != 12 || def.Count != 144 {
		t.Fatalf("default manifold %d×%d", def.Rows, def.Cols)
	}
}

// quantile7 is R's type 7 quantile of sorted values.
func quantile7(s []float64, p float64) float64 {
	pos := p * float64(len(s)-1)
	i := int(pos)
	f := pos - float64(i)
	return (1-f)*s[i] + f*s[i+1]
}

// TestSnapshotAPIRefusesBadInput: every mistake is a 400 (or 404, 405, 413)
// that says what to change, and the training is unharmed.
func TestSnapshotAPIRefusesBadInput(t *testing.T) {
	ts := newTestServer(t)
	two, _ := ts.trained(t, smallJSON)
	eight, _ := ts.trained(t, `{"encoder":[32],"bottleneck":8,"train_size":256,"test_size":100,"epochs":1}`)
	api := "/api/sessions/" + two
	many := `{"z":[` + strings.Repeat("[0,0],", 1024) + `[0,0]]}`
	huge := `{"z":[` + strings.Repeat("[0.123456789,0.123456789],", 50000) + `[0,0]]}`
	cases := []struct {
		name, method, path, body string
		status                   int
		field, says              string
	}{
		{"wrong code width", "POST", api + "/decode", `{"z":[[0.5,1],[1,2,3]]}`, 400, "z", "z[1] has 3 values, but session " + two + " has a 2-unit bottleneck"},
		{"too many codes", "POST", api + "/decode", many, 400, "z", "1025 codes is too many: send at most 1024"},
		{"no code", "POST", api + "/decode", `{"z":[]}`, 400, "z", "at least one code"},
		{"NaN", "POST", api + "/decode", `{"z":[[NaN,1]]}`, 400, "", "JSON has no NaN or Infinity"},
		{"Infinity", "POST", api + "/decode", `{"z":[[1,-Infinity]]}`, 400, "", "must be finite"},
		{"too far out", "POST", api + "/decode", `{"z":[[1e300,0]]}`, 400, "z", "z[0][0] = 1e+300: latent values must be finite numbers between"},
		{"not a list", "POST", api + "/decode", `{"z":"1,2"}`, 400, "z", "must be"},
		{"unknown field", "POST", api + "/decode", `{"codes":[[1,2]]}`, 400, "codes", `unknown field "codes": this endpoint takes "z"`},
		{"body too large", "POST", api + "/decode", huge, 413, "", "larger than"},
		{"example out of range", "POST", api + "/encode", `{"examples":[0,10000]}`, 400, "examples", "test example 10000 does not exist: the test split of mnist has examples 0 to 9999"},
		{"negative example", "POST", api + "/encode", `{"examples":[-1]}`, 400, "examples", "test example -1 does not exist"},
		{"fractional example", "POST", api + "/encode", `{"examples":[1.5]}`, 400, "examples", "whole number"},
		{"no example", "POST", api + "/encode", `{"examples":[]}`, 400, "examples", "at least one"},
		{"too many examples", "POST", api + "/encode", `{"examples":[` + strings.Repeat("1,", 1024) + `1]}`, 400, "examples", "at most 1024"},
		{"reconstruct out of range", "POST", api + "/reconstruct", `{"examples":[10000]}`, 400, "examples", "test example 10000 does not exist"},
		{"reconstruct none", "POST", api + "/reconstruct", `{"examples":[]}`, 400, "examples", "name 1 to 64 test examples"},
		{"reconstruct too many", "POST", api + "/reconstruct", `{"examples":[` + strings.Repeat("1,", 64) + `1]}`, 400, "examples", "got 65"},
		{"reconstruct unknown field", "POST", api + "/reconstruct", `{"example":3}`, 400, "example", `unknown field "example"`},
		{"manifold too big", "GET", api + "/manifold?rows=33", "", 400, "rows", "rows must be a whole number from 1 to 32"},
		{"manifold cols", "GET", api + "/manifold?rows=4&cols=0", "", 400, "cols", "from 1 to 32"},
		{"manifold not a number", "GET", api + "/manifold?rows=ten", "", 400, "rows", "whole number"},
		{"manifold of 8 units", "GET", "/api/sessions/" + eight + "/manifold", "", 400, "", "needs a 2-unit bottleneck, and session " + eight + " has 8 units"},
		{"interpolate without from", "POST", api + "/interpolate", `{"to":3}`, 400, "from", `"from" is missing`},
		{"interpolate too many steps", "POST", api + "/interpolate", `{"from":1,"to":2,"steps":65}`, 400, "steps", "from 2 (the two ends) to 64"},
		{"interpolate one step", "POST", api + "/interpolate", `{"from":1,"to":2,"steps":1}`, 400, "steps", "from 2"},
		{"interpolate zero steps", "POST", api + "/interpolate", `{"from":1,"to":2,"steps":0}`, 400, "steps", "steps = 0: it must be from 2"},
		{"denoise zero count", "POST", api + "/denoise", `{"kind":"masking","level":0.3,"count":0}`, 400, "count", "count = 0: it must be from 1 to 64"},
		{"denoise seed past 2^53", "POST", api + "/denoise", `{"kind":"masking","level":0.3,"seed":9007199254740993}`, 400, "seed", "between 0 and 2^53"},
		{"interpolate out of range", "POST", api + "/interpolate", `{"from":1,"to":12345}`, 400, "to", "test example 12345 does not exist"},
		{"denoise unknown kind", "POST", api + "/denoise", `{"kind":"blur","level":0.3}`, 400, "kind", `unknown noise kind "blur"`},
		{"denoise level too high", "POST", api + "/denoise", `{"kind":"masking","level":1.5}`, 400, "level", "between 0 and 1"},
		{"denoise sigma too high", "POST", api + "/denoise", `{"kind":"gaussian","level":3}`, 400, "level", "σ = 3 must be between 0 and 1"},
		{"denoise without level", "POST", api + "/denoise", `{"kind":"gaussian"}`, 400, "level", `"level" is missing`},
		{"denoise too many", "POST", api + "/denoise", `{"kind":"gaussian","level":0.1,"count":65}`, 400, "count", "from 1 to 64"},
		{"wrong method", "GET", api + "/decode", "", 405, "", "not allowed"},
	}
	for _, ep := range []struct{ method, path, body string }{
		{"POST", "decode", `{"z":[[0,0]]}`}, {"POST", "encode", `{"examples":[0]}`}, {"GET", "manifold", ""},
		{"GET", "latent-stats", ""}, {"POST", "interpolate", `{"from":0,"to":1}`}, {"POST", "denoise", `{"kind":"gaussian","level":0.2}`},
	} {
		cases = append(cases, struct {
			name, method, path, body string
			status                   int
			field, says              string
		}{"unknown session " + ep.path, ep.method, "/api/sessions/nope/" + ep.path, ep.body, 404, "", "no session"})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, b := ts.do(t, tc.method, tc.path, tc.body, nil)
			if res.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d: %.300s", res.StatusCode, tc.status, b)
			}
			var e errorBody
			if err := json.Unmarshal(b, &e); err != nil {
				t.Fatalf("error is not JSON: %.300s", b)
			}
			if !strings.Contains(e.Error, tc.says) || e.Field != tc.field {
				t.Fatalf("error = %q (field %q), want it to say %q (field %q)", e.Error, e.Field, tc.says, tc.field)
			}
		})
	}
	// The same endpoints answer well-formed requests.
	var dn lab.Denoised
	ts.call(t, "POST", api+"/denoise", `{"kind":"salt_pepper","level":0,"count":3}`, &dn)
	if dn.TrainedNoise != nil || dn.Count != 3 || dn.MeanNoisy != 99 || string(dn.Noisy) != string(dn.Clean) {
		t.Fatalf("level 0 on a plain autoencoder: trained %v, %d examples, PSNR in %g", dn.TrainedNoise, dn.Count, dn.MeanNoisy)
	}
}

// TestSnapshotAPIWorksWhileTraining: the model answers while it trains, and
// the training goes on.
func TestSnapshotAPIWorksWhileTraining(t *testing.T) {
	ts := newTestServer(t)
	c := ts.create(t, `{"encoder":[64],"bottleneck":2,"train_size":60000,"test_size":200,"epochs":20}`)
	s, _ := ts.m.Get(c.ID)
	waitFor(t, func() bool { return s.State() == session.Running && s.Info().Step > 0 })
	var dec lab.Decoded
	ts.call(t, "POST", "/api/sessions/"+c.ID+"/decode", `{"z":[[0.5,0.5]]}`, &dec)
	var mf lab.Manifold
	ts.call(t, "GET", "/api/sessions/"+c.ID+"/manifold?rows=3", "", &mf)
	var st lab.LatentStats
	ts.call(t, "GET", "/api/sessions/"+c.ID+"/latent-stats", "", &st)
	if dec.Count != 1 || mf.Count != 9 || len(st.Variance) != 2 {
		t.Fatalf("while training: %d decoded, %d in the manifold, %d variances", dec.Count, mf.Count, len(st.Variance))
	}
	if st := s.State(); st != session.Running {
		t.Fatalf("the training is %s after the requests", st)
	}
	// Later snapshots follow the training.
	first := dec.Step
	waitFor(t, func() bool {
		ts.call(t, "POST", "/api/sessions/"+c.ID+"/decode", `{"z":[[0.5,0.5]]}`, &dec)
		return dec.Step > first
	})
}

// TestTestTimeDenoisingImprovesPSNR: a trained denoiser's outputs are much
// closer to the clean examples than its noisy inputs, at the training noise
// and at a stronger level; the noise is the same for the same seed.
func TestTestTimeDenoisingImprovesPSNR(t *testing.T) {
	ts := newTestServer(t)
	id, s := ts.trained(t, `{"encoder":[128],"bottleneck":32,"train_size":5000,"test_size":500,"batch_size":32,"epochs":2,"learning_rate":0.003,"seed":2,"noise":{"kind":"gaussian","level":0.4}}`)
	var dn lab.Denoised
	ts.call(t, "POST", "/api/sessions/"+id+"/denoise", `{"kind":"gaussian","level":0.4,"count":10}`, &dn)
	if dn.Count != 10 || len(dn.PSNRNoisy) != 10 || len(dn.PSNRDenoised) != 10 || len(dn.Noisy) != 7840 || len(dn.Denoised) != 7840 {
		t.Fatalf("denoise: %d examples, %d/%d PSNRs, %d bytes", dn.Count, len(dn.PSNRNoisy), len(dn.PSNRDenoised), len(dn.Noisy))
	}
	if want := session.ReconExamples(s.Dataset(), 10); !slices.Equal(dn.Indices, want) {
		t.Fatalf("examples %v, want the reconstruction examples %v", dn.Indices, want)
	}
	if dn.TrainedNoise == nil || *dn.TrainedNoise != (lab.NoiseKind{Kind: "gaussian", Level: 0.4}) {
		t.Fatalf("trained noise %v", dn.TrainedNoise)
	}
	t.Logf("σ 0.4: %.2f dB in, %.2f dB out", dn.MeanNoisy, dn.MeanDenoised)
	if dn.MeanNoisy > 12 || dn.MeanDenoised < dn.MeanNoisy+3 {
		t.Fatalf("PSNR noisy %.2f dB, denoised %.2f dB: the denoiser does not denoise", dn.MeanNoisy, dn.MeanDenoised)
	}
	for i := range 10 {
		if dn.PSNRDenoised[i] <= dn.PSNRNoisy[i] {
			t.Fatalf("example %d: %.2f dB in, %.2f dB out", i, dn.PSNRNoisy[i], dn.PSNRDenoised[i])
		}
	}
	var again, other, stronger lab.Denoised
	ts.call(t, "POST", "/api/sessions/"+id+"/denoise", `{"kind":"gaussian","level":0.4,"count":10}`, &again)
	ts.call(t, "POST", "/api/sessions/"+id+"/denoise", `{"kind":"gaussian","level":0.4,"count":10,"seed":8}`, &other)
	if string(again.Noisy) != string(dn.Noisy) || string(other.Noisy) == string(dn.Noisy) {
		t.Fatal("the test-time noise must be the same for the same seed and differ for another")
	}
	// Stronger noise than in training: worse inputs, still improved (weaker
	// noise may not be: the outputs cannot be better than the network's own
	// reconstructions).
	ts.call(t, "POST", "/api/sessions/"+id+"/denoise", `{"kind":"gaussian","level":0.6}`, &stronger)
	if stronger.Count != 10 || stronger.MeanNoisy >= dn.MeanNoisy || stronger.MeanDenoised <= stronger.MeanNoisy+1 {
		t.Fatalf("σ 0.6: %.2f dB in (σ 0.4: %.2f), %.2f dB out", stronger.MeanNoisy, dn.MeanNoisy, stronger.MeanDenoised)
	}
}

// TestSnapshotAPIAnswersJSON checks the documented field names of decode.
func TestSnapshotAPIAnswersJSON(t *testing.T) {
	ts := newTestServer(t)
	id, _ := ts.trained(t, smallJSON)
	res, b := ts.do(t, "POST", "/api/sessions/"+id+"/decode", `{"z":[[0,0]]}`, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", res.StatusCode, b)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"step", "kind", "width", "height", "count", "lo", "hi", "data"} {
		if _, ok := m[f]; !ok {
			t.Errorf("decode answer lacks %q: %.200s", f, b)
		}
	}
}
