package handlers

import (
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/aelab/aelab/internal/lab"
)

// TestManifoldOverThePrior: span=prior lays a VAE's manifold grid over the
// 2%–98% box of N(0, I) (±2.054 on both units, whatever the codes do), its
// corners are the decodings of the box's corners, and the span is refused
// with 400 naming "span" for a plain autoencoder or an unknown value.
func TestManifoldOverThePrior(t *testing.T) {
	ts := newTestServer(t)
	id, _ := ts.trained(t, `{"kind":"vae","beta":4,"loss":"bce","encoder":[32],"bottleneck":2,"train_size":300,"test_size":100,"batch_size":50,"epochs":1,"seed":3}`)
	var mf lab.Manifold
	ts.call(t, "GET", "/api/sessions/"+id+"/manifold?rows=4&cols=3&span=prior", "", &mf)
	if mf.Span != "prior" || mf.Rows != 4 || mf.Cols != 3 || mf.Count != 12 || mf.Quantile != 0.02 {
		t.Fatalf("manifold: span %q, %d×%d, %d images, quantile %g", mf.Span, mf.Rows, mf.Cols, mf.Count, mf.Quantile)
	}
	for u := range 2 {
		if math.Abs(float64(mf.Bounds.Hi[u])-2.053749) > 1e-5 || mf.Bounds.Lo[u] != -mf.Bounds.Hi[u] {
			t.Fatalf("unit %d: bounds %g…%g, want ±2.053749 (the 2%% and 98%% quantiles of N(0, 1))", u, mf.Bounds.Lo[u], mf.Bounds.Hi[u])
		}
	}
	checkManifoldCorners(t, ts, id, mf)
	var codes lab.Manifold
	ts.call(t, "GET", "/api/sessions/"+id+"/manifold?rows=2", "", &codes)
	if codes.Span != "codes" || codes.Bounds.Hi[0] == mf.Bounds.Hi[0] {
		t.Fatalf("default span %q with bounds %v; want the codes' own box", codes.Span, codes.Bounds)
	}

	plain, _ := ts.trained(t, `{"encoder":[16],"bottleneck":2,"train_size":200,"test_size":100,"batch_size":50,"epochs":1}`)
	for _, tc := range []struct{ id, query, says string }{
		{plain, "span=prior", "no prior"},
		{id, "span=everything", `"codes"`},
		{id, "span=PRIOR", `"prior"`},
	} {
		res, body := ts.do(t, "GET", "/api/sessions/"+tc.id+"/manifold?"+tc.query, "", nil)
		var e struct{ Field, Error string }
		json.Unmarshal(body, &e)
		if res.StatusCode != http.StatusBadRequest || e.Field != "span" || !strings.Contains(e.Error, tc.says) {
			t.Errorf("manifold?%s: %d %s; want 400 naming span and saying %s", tc.query, res.StatusCode, body, tc.says)
		}
	}
}

// checkManifoldCorners checks that a manifold grid's corners are the
// decodings of its box's corners: the top left tile is (lo1, hi2), the
// bottom right one (hi1, lo2).
func checkManifoldCorners(t *testing.T, ts *testServer, id string, mf lab.Manifold) {
	t.Helper()
	var dec lab.Decoded
	ts.call(t, "POST", "/api/sessions/"+id+"/decode", codesJSON([][]float32{{mf.Bounds.Lo[0], mf.Bounds.Hi[1]}, {mf.Bounds.Hi[0], mf.Bounds.Lo[1]}}), &dec)
	grid, corners := imageValues(t, mf.Images), imageValues(t, dec.Images)
	step := float64(max(mf.Hi-mf.Lo, dec.Hi-dec.Lo)) / 255
	for e, i := range []int{0, mf.Rows*mf.Cols - 1} {
		for p := range grid[i] {
			if math.Abs(grid[i][p]-corners[e][p]) > step*1.01 {
				t.Fatalf("manifold image %d, pixel %d: %g; decoding the corner code gives %g", i, p, grid[i][p], corners[e][p])
			}
		}
	}
}
