package handlers

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/aelab/aelab/internal/lab"
	"github.com/aelab/aelab/session"
)

// trained starts a session from body and waits until it has completed.
func (ts *testServer) trained(t *testing.T, body string) (string, *session.Session) {
	t.Helper()
	c := ts.create(t, body)
	s, err := ts.m.Get(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	waitEnded(t, s)
	if s.State() != session.Completed {
		t.Fatalf("training %s ended %s: %s", c.ID, s.State(), s.Info().Error)
	}
	return c.ID, s
}

// call sends a request and decodes a 200 answer into out (when not nil).
func (ts *testServer) call(t *testing.T, method, path, body string, out any) {
	t.Helper()
	res, b := ts.do(t, method, path, body, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

// imageValues dequantises the examples of an answer: count rows of values.
func imageValues(t *testing.T, b lab.Images) [][]float64 {
	t.Helper()
	size := b.Width * b.Height
	if len(b.Data) != b.Count*size {
		t.Fatalf("%d bytes for %d examples of %d×%d", len(b.Data), b.Count, b.Width, b.Height)
	}
	out := make([][]float64, b.Count)
	for i := range out {
		for _, q := range b.Data[i*size : (i+1)*size] {
			out[i] = append(out[i], float64(b.Lo)+float64(q)/255*float64(b.Hi-b.Lo))
		}
	}
	return out
}

func mse(a []float64, b []float32) float64 {
	var s float64
	for i := range a {
		d := a[i] - float64(b[i])
		s += d * d
	}
	return s / float64(len(a))
}

// codesJSON writes codes as the body of a decode request.
func codesJSON(codes [][]float32) string {
	b, _ := json.Marshal(map[string]any{"z": codes})
	return string(b)
}

// TestDecodeOfEncodeIsCloseToTheExample: a trained autoencoder's decoding of
// an example's code is much closer to the example than the mean image is,
// through the API (encode, then decode) and for training points directly on
// the snapshot.
func TestDecodeOfEncodeIsCloseToTheExample(t *testing.T) {
	ts := newTestServer(t)
	id, s := ts.trained(t, `{"encoder":[128],"bottleneck":32,"train_size":5000,"test_size":500,"batch_size":32,"epochs":2,"learning_rate":0.003,"seed":5}`)
	ds := s.Dataset()
	k := ds.Features
	mean := make([]float32, k) // of the examples it trained on
	for i := range 5000 {
		for j, v := range ds.Train.Row(i) {
			mean[j] += v / 5000
		}
	}
	const n = 40
	idx := make([]string, n)
	for i := range idx {
		idx[i] = fmt.Sprint(i)
	}
	var enc lab.Encoded
	ts.call(t, "POST", "/api/sessions/"+id+"/encode", `{"examples":[`+strings.Join(idx, ",")+`]}`, &enc)
	if len(enc.Codes) != n || len(enc.Codes[0]) != 32 || len(enc.Labels) != n || enc.Labels[0] != ds.Test.Labels[0] {
		t.Fatalf("encode: %d codes of %d, labels %v", len(enc.Codes), len(enc.Codes[0]), enc.Labels)
	}
	var dec lab.Decoded
	ts.call(t, "POST", "/api/sessions/"+id+"/decode", codesJSON(enc.Codes), &dec)
	if dec.Kind != "image" || dec.Width != 28 || dec.Height != 28 || dec.Count != n || dec.Step != s.Info().Step {
		t.Fatalf("decode: %s %d×%d ×%d at step %d", dec.Kind, dec.Width, dec.Height, dec.Count, dec.Step)
	}
	var recErr, meanErr float64
	for i, v := range imageValues(t, dec.Images) {
		recErr += mse(v, ds.Test.Row(i)) / n
		meanErr += mse(toF64(mean), ds.Test.Row(i)) / n
	}
	t.Logf("decode(encode(x)) is %.4f from x on average, the mean image %.4f", recErr, meanErr)
	if recErr > 0.5*meanErr {
		t.Fatalf("decode(encode(x)) is %.4f from x on average, the mean image %.4f: not much closer", recErr, meanErr)
	}

	// A training point, straight on the snapshot the API uses.
	snap, err := s.Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	x := ds.Train.Row(7)
	z := make([]float32, 32)
	out := make([]float32, k)
	snap.Encode(z, x, 1)
	snap.Decode(out, z, 1)
	if r, m := mse(toF64(out), x), mse(toF64(mean), x); r > 0.5*m {
		t.Fatalf("training point: decode(encode(x)) %.4f from x, the mean image %.4f", r, m)
	}
}

// TestReconstructGivesTheExampleItsCodeAndError: reconstruct returns the
// test examples asked for (the dataset's own pixels), their codes (as
// encode gives them) and reconstructions whose error it reports.
func TestReconstructGivesTheExampleItsCodeAndError(t *testing.T) {
	ts := newTestServer(t)
	id, s := ts.trained(t, `{"encoder":[64],"bottleneck":2,"train_size":3000,"test_size":300,"batch_size":32,"epochs":1,"seed":3}`)
	ds := s.Dataset()
	var rec lab.Reconstructed
	ts.call(t, "POST", "/api/sessions/"+id+"/reconstruct", `{"examples":[17,3]}`, &rec)
	if rec.Count != 2 || rec.Kind != "image" || rec.Width != 28 || len(rec.Originals) != 2*784 || len(rec.Reconstructions) != 2*784 {
		t.Fatalf("reconstruct: %s %d×%d ×%d, %d and %d bytes", rec.Kind, rec.Width, rec.Height, rec.Count, len(rec.Originals), len(rec.Reconstructions))
	}
	if rec.Indices[0] != 17 || rec.Labels[0] != ds.Test.Labels[17] || rec.Labels[1] != ds.Test.Labels[3] {
		t.Fatalf("indices %v labels %v; want 17 and 3 with labels %d, %d", rec.Indices, rec.Labels, ds.Test.Labels[17], ds.Test.Labels[3])
	}
	orig := imageValues(t, lab.Images{Kind: rec.Kind, Width: rec.Width, Height: rec.Height, Count: rec.Count, Lo: rec.Lo, Hi: rec.Hi, Data: rec.Originals})
	out := imageValues(t, lab.Images{Kind: rec.Kind, Width: rec.Width, Height: rec.Height, Count: rec.Count, Lo: rec.Lo, Hi: rec.Hi, Data: rec.Reconstructions})
	step := float64(rec.Hi-rec.Lo) / 255
	for i, j := range []int{17, 3} {
		if e := mse(orig[i], ds.Test.Row(j)); e > step*step {
			t.Errorf("original %d is %.6f from test example %d: not its pixels", i, e, j)
		}
		// The reported error is the reconstruction's, within quantisation.
		got := mse(out[i], ds.Test.Row(j))
		if math.Abs(got-rec.MSE[i]) > 2*step*math.Sqrt(rec.MSE[i])+step*step {
			t.Errorf("example %d: mse %.5f reported, %.5f measured on the picture", j, rec.MSE[i], got)
		}
		if rec.MSE[i] <= 0 {
			t.Errorf("example %d: mse %v", j, rec.MSE[i])
		}
	}
	var enc lab.Encoded
	ts.call(t, "POST", "/api/sessions/"+id+"/encode", `{"examples":[17,3]}`, &enc)
	for i := range enc.Codes {
		for u := range enc.Codes[i] {
			if enc.Codes[i][u] != rec.Codes[i][u] {
				t.Fatalf("code %d: reconstruct %v, encode %v", i, rec.Codes[i], enc.Codes[i])
			}
		}
	}
}

func toF64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// TestInterpolationEndsAtTheDecodedCodes: the first and last images of an
// interpolation are the decodings of the two examples' codes; stats have
// one entry per unit.
func TestInterpolationEndsAtTheDecodedCodes(t *testing.T) {
	ts := newTestServer(t)
	id, _ := ts.trained(t, `{"encoder":[64],"bottleneck":8,"train_size":2000,"test_size":200,"epochs":2,"seed":9}`)
	var in lab.Interpolation
	ts.call(t, "POST", "/api/sessions/"+id+"/interpolate", `{"from":3,"to":1500,"steps":7}`, &in)
	if in.Count != 7 || len(in.Codes) != 7 || len(in.Codes[0]) != 8 || in.From != 3 || in.To != 1500 {
		t.Fatalf("interpolation: %d images, %d codes", in.Count, len(in.Codes))
	}
	var enc lab.Encoded
	ts.call(t, "POST", "/api/sessions/"+id+"/encode", `{"examples":[3,1500]}`, &enc)
	if in.Labels != [2]int{enc.Labels[0], enc.Labels[1]} {
		t.Fatalf("labels %v, encode says %v", in.Labels, enc.Labels)
	}
	for j := range 8 {
		if in.Codes[0][j] != enc.Codes[0][j] || in.Codes[6][j] != enc.Codes[1][j] {
			t.Fatalf("unit %d: line from %g to %g, codes %g and %g", j, in.Codes[0][j], in.Codes[6][j], enc.Codes[0][j], enc.Codes[1][j])
		}
		mid := (enc.Codes[0][j] + enc.Codes[1][j]) / 2
		if math.Abs(float64(in.Codes[3][j]-mid)) > 1e-4*(1+math.Abs(float64(mid))) {
			t.Fatalf("unit %d: middle code %g, want %g", j, in.Codes[3][j], mid)
		}
	}
	var dec lab.Decoded
	ts.call(t, "POST", "/api/sessions/"+id+"/decode", codesJSON(enc.Codes), &dec)
	got, want := imageValues(t, in.Images), imageValues(t, dec.Images)
	step := float64(max(in.Hi-in.Lo, dec.Hi-dec.Lo)) / 255
	for e, i := range []int{0, 6} {
		for p := range got[i] {
			if d := math.Abs(got[i][p] - want[e][p]); d > step*1.01 {
				t.Fatalf("interpolation end %d, pixel %d: %g, decoded code gives %g", i, p, got[i][p], want[e][p])
			}
		}
	}
	if !differs(got[0], got[3]) {
		t.Fatal("the middle of the interpolation is the same image as its start")
	}

	var st lab.LatentStats
	ts.call(t, "GET", "/api/sessions/"+id+"/latent-stats", "", &st)
	if len(st.Variance) != 8 || len(st.Dead) != 8 || len(st.Mean) != 8 || len(st.Bounds.Lo) != 8 || st.Count != 1000 {
		t.Fatalf("stats: %+v", st)
	}
	for j, v := range st.Variance {
		if v < 0 || st.Bounds.Lo[j] > st.Bounds.Hi[j] || (v > 1e-3 && st.Dead[j]) {
			t.Fatalf("unit %d: variance %g, bounds %g…%g, dead %v", j, v, st.Bounds.Lo[j], st.Bounds.Hi[j], st.Dead[j])
		}
	}
}

func differs(a, b []float64) bool {
	for i := range a {
		if math.Abs(a[i]-b[i]) > 0.05 {
			return true
		}
	}
	return false
}
