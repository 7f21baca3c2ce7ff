package handlers

import (
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aelab/aelab/analysis"
	"github.com/aelab/aelab/internal/lab"
	"github.com/aelab/aelab/session"
)

// TestCompressionEndpoint: the bits are K·8 against M·32 and M·bits, the
// float32 quality is that of the snapshot's own encode/decode, and 8-bit
// codes lose a little (not nothing, not much) while 2-bit codes lose more.
func TestCompressionEndpoint(t *testing.T) {
	ts := newTestServer(t)
	id, s := ts.trained(t, `{"encoder":[64],"bottleneck":8,"bottleneck_activation":"linear","train_size":2000,"test_size":200,"batch_size":32,"epochs":2,"learning_rate":0.003,"seed":4}`)

	var b8 lab.Compression
	ts.call(t, "GET", "/api/sessions/"+id+"/compression", "", &b8)
	if b8.Features != 784 || b8.Latent != 8 || b8.Bits != 8 || b8.Examples != 1000 || b8.RangeBits != 2*8*32 ||
		b8.BitsPerExample != (lab.CompressionBits{Input: 6272, Float32: 256, Quantized: 64}) || b8.Ratio.Float32 != 24.5 || b8.Ratio.Quantized != 98 {
		t.Fatalf("bits: %+v, ratios %+v, range bits %d", b8.BitsPerExample, b8.Ratio, b8.RangeBits)
	}

	// The float32 figures, straight from the snapshot.
	ds := s.Dataset()
	snap, err := s.Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	const n, k, m = 1000, 784, 8
	x := ds.Test.Rows(nil, 0, n)
	z := make([]float32, n*m)
	out := make([]float32, n*k)
	snap.Encode(z, x, n)
	snap.Decode(out, z, n)
	want := analysis.MSE(x, out)
	if math.Abs(b8.Float32.MSE-want) > 1e-9 || b8.Step != snap.Steps() {
		t.Fatalf("float32 mse %g at step %d; the snapshot gives %g at step %d", b8.Float32.MSE, b8.Step, want, snap.Steps())
	}
	if p := analysis.MeanPSNR(x, out, n, k, 1); math.Abs(b8.Float32.PSNR-p) > 0.006 {
		t.Fatalf("float32 psnr %g, want %g", b8.Float32.PSNR, p)
	}
	f, q := b8.Float32.MSE, b8.Quantized.MSE
	t.Logf("M = 8: float32 mse %.5f (%.2f dB), 8-bit %.5f (%.2f dB)", f, b8.Float32.PSNR, q, b8.Quantized.PSNR)
	if !(q >= f*(1-1e-4) && q <= 1.05*f) || q == f {
		t.Fatalf("8-bit codes: mse %g against %g for float32 codes; want slightly more, within 5%%", q, f)
	}

	var b2 lab.Compression
	ts.call(t, "GET", "/api/sessions/"+id+"/compression?bits=2&example=5", "", &b2)
	if b2.BitsPerExample.Quantized != 16 || b2.Ratio.Quantized != 392 || b2.Float32 != b8.Float32 {
		t.Fatalf("2 bits: %+v %+v", b2.BitsPerExample, b2.Float32)
	}
	if !(b2.Quantized.MSE > 1.2*q) || !(b2.Quantized.PSNR < b8.Quantized.PSNR) {
		t.Fatalf("2-bit codes: mse %g (8-bit %g), psnr %g (8-bit %g): want clearly worse", b2.Quantized.MSE, q, b2.Quantized.PSNR, b8.Quantized.PSNR)
	}

	// The pictures: the original, then its float32 and quantised decodings.
	if b2.Example.Index != 5 || b2.Example.Label != ds.Test.Labels[5] || b2.Example.Count != 3 || b2.Example.Kind != "image" {
		t.Fatalf("example %+v", b2.Example.Index)
	}
	pics := imageValues(t, b2.Example.Images)
	step := float64(b2.Example.Hi-b2.Example.Lo) / 255
	for j, v := range ds.Test.Row(5) {
		if math.Abs(pics[0][j]-float64(v)) > step/2+1e-6 || math.Abs(pics[1][j]-float64(out[5*k+j])) > step/2+1e-6 {
			t.Fatalf("pixel %d: original %g (want %g), float32 decoding %g (want %g)", j, pics[0][j], v, pics[1][j], out[5*k+j])
		}
	}
	if mse(pics[2], out[5*k:6*k]) == 0 {
		t.Fatal("the 2-bit decoding is the float32 one")
	}

	for _, q := range []string{"bits=0", "bits=17", "bits=eight", "example=1000", "example=-1"} {
		res, body := ts.do(t, "GET", "/api/sessions/"+id+"/compression?"+q, "", nil)
		field := strings.Split(q, "=")[0]
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"field": "`+field+`"`) {
			t.Errorf("%s: %d %s", q, res.StatusCode, body)
		}
	}
	if res, body := ts.do(t, "GET", "/api/sessions/nosuchid/compression", "", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown session: %d %s", res.StatusCode, body)
	}
}

// TestCompressionLabStartsASweepComparison: the lab's start makes one
// session per width and a sweep comparison of them, named in the redirect.
func TestCompressionLabStartsASweepComparison(t *testing.T) {
	ts := newTestServer(t)
	form := url.Values{"widths": {"16, 4"}, "train_size": {"300"}}
	res, b := ts.do(t, "POST", "/labs/compression/start", form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil || res.StatusCode != http.StatusSeeOther || loc.Path != "/labs/compression" {
		t.Fatalf("%d, Location %q: %.300s", res.StatusCode, res.Header.Get("Location"), b)
	}
	ids := strings.Split(loc.Query().Get("s"), ",")
	var comp struct {
		Kind    string `json:"kind"`
		Members []struct {
			Session session.Info `json:"session"`
		} `json:"members"`
	}
	ts.call(t, "GET", "/api/comparisons/"+loc.Query().Get("c"), "", &comp)
	if comp.Kind != "sweep" || len(comp.Members) != 2 || len(ids) != 2 {
		t.Fatalf("comparison %+v, sessions %v", comp, ids)
	}
	for i, w := range []int{4, 16} {
		c := comp.Members[i].Session.Config
		if comp.Members[i].Session.ID != ids[i] || c.Bottleneck != w || c.TrainSize != 300 || c.BottleneckActivation != "linear" || c.Dataset != "mnist" {
			t.Fatalf("member %d: %s %+v", i, comp.Members[i].Session.ID, c)
		}
		if cks := res.Cookies(); len(cks) != 1 || cks[0].Name != ownerCookieName {
			t.Fatalf("cookies %v, want the one owner key", cks)
		}
		s, _ := ts.m.Get(ids[i])
		if !s.OwnedBy(session.OwnerOf(res.Cookies()[0].Value)) {
			t.Fatalf("the browser does not own %s", s.ID())
		}
		_ = s.Stop()
	}
	if res, _ := ts.do(t, "GET", "/compare/"+loc.Query().Get("c"), "", nil); res.StatusCode != http.StatusOK {
		t.Fatalf("compare page: %d", res.StatusCode)
	}

	before := len(ts.m.List())
	for _, tc := range []struct {
		form url.Values
		says string
	}{
		{url.Values{"widths": {"8"}}, "2 to 6 different widths"},
		{url.Values{"widths": {"4, 4"}}, "2 to 6 different widths"},
		{url.Values{"widths": {"4, 300"}}, "from 1 to 256"},
		{url.Values{"widths": {"a, b"}}, "separated by commas"},
		{url.Values{"train_size": {"50"}}, "between 200 and 60000"},
	} {
		res, b := ts.do(t, "POST", "/labs/compression/start", tc.form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), tc.says) {
			t.Errorf("%v: %d, want 400 saying %q", tc.form, res.StatusCode, tc.says)
		}
	}
	if n := len(ts.m.List()); n != before {
		t.Fatalf("refused forms started %d sessions", n-before)
	}
}
