package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aelab/aelab/internal/lab"
	"github.com/aelab/aelab/internal/store/sqlite"
	"github.com/aelab/aelab/session"
)

// The latent explorer's views follow the replay: with ?step= the manifold,
// decode and the statistics run on the kept weights nearest that step
// (every epoch's end), which give other pictures than the final weights
// and exactly those the store's weights give; a step outside the run is
// refused naming the field.
func TestViewsAtPastStep(t *testing.T) {
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ts := newTestServerWith(t, func(d *Deps) {
		d.Sessions = session.NewManager(session.Options{Datasets: registry, Store: st})
	})
	// 16 steps an epoch, 2 epochs: weights kept in the store at 16 and 32,
	// and (a small network) in memory at the keyframes before step 16.
	c := ts.create(t, smallJSON)
	s, _ := ts.m.Get(c.ID)
	waitEnded(t, s)
	ts.m.FlushStore()
	ctx := context.Background()
	if kept, err := s.KeptWeights(ctx); err != nil || !slices.Equal(kept, []int{0, 1, 2, 5, 10, 16, 32}) {
		t.Fatalf("KeptWeights = %v, %v; want [0 1 2 5 10 16 32]", kept, err)
	}
	api := "/api/sessions/" + c.ID

	// What the weights kept at step 16 give, computed from the store.
	ck, err := st.CheckpointAt(ctx, c.ID, 16)
	if err != nil || ck == nil {
		t.Fatalf("CheckpointAt 16 = %v, %v", ck, err)
	}
	sn, err := s.WeightsAt(ctx, 16)
	if err != nil || sn.Steps() != 16 || !slices.Equal(sn.Params(), ck.Params) {
		t.Fatalf("WeightsAt 16: %v (steps %d); want the store's weights of step 16", err, sn.Steps())
	}
	md16 := lab.Model{S: s, Snap: sn, DS: s.Dataset(), Past: true}
	want, err := lab.NewRunner(ts.m).Manifold(md16, 8, 8, "codes")
	if err != nil {
		t.Fatal(err)
	}

	var final, past, near, early, untrained lab.Manifold
	ts.call(t, "GET", api+"/manifold?rows=8&cols=8", "", &final)
	ts.call(t, "GET", api+"/manifold?rows=8&cols=8&step=16", "", &past)
	ts.call(t, "GET", api+"/manifold?rows=8&cols=8&step=14", "", &near)  // nearer 16 than 10
	ts.call(t, "GET", api+"/manifold?rows=8&cols=8&step=12", "", &early) // nearer 10 than 16
	ts.call(t, "GET", api+"/manifold?rows=8&cols=8&step=0", "", &untrained)
	if final.Step != 32 || past.Step != 16 || near.Step != 16 || early.Step != 10 || untrained.Step != 0 {
		t.Fatalf("manifold steps: final %d, step=16 → %d, step=14 → %d, step=12 → %d, step=0 → %d; want 32, 16, 16, 10, 0",
			final.Step, past.Step, near.Step, early.Step, untrained.Step)
	}
	if bytes.Equal(untrained.Data, past.Data) || bytes.Equal(early.Data, past.Data) {
		t.Fatal("the manifolds at steps 0, 10 and 16 are not all different")
	}
	if bytes.Equal(final.Data, past.Data) || slices.Equal(final.Bounds.Lo, past.Bounds.Lo) {
		t.Fatal("the manifold at step 16 is the final one: the step was not used")
	}
	if !bytes.Equal(past.Data, want.Data) || !slices.Equal(past.Bounds.Lo, want.Bounds.Lo) || !slices.Equal(past.Bounds.Hi, want.Bounds.Hi) {
		t.Fatal("the manifold at step 16 differs from what the kept weights of step 16 give")
	}
	var again lab.Manifold // the latest weights' codes were not replaced by the past ones
	ts.call(t, "GET", api+"/manifold?rows=8&cols=8", "", &again)
	if !bytes.Equal(again.Data, final.Data) {
		t.Fatal("the final manifold changed after a past one was asked")
	}

	wantDec, err := lab.Decode(md16, [][]float64{{0.5, -1}})
	if err != nil {
		t.Fatal(err)
	}
	var dec, decFinal lab.Decoded
	ts.call(t, "POST", api+"/decode?step=16", `{"z":[[0.5,-1]]}`, &dec)
	ts.call(t, "POST", api+"/decode", `{"z":[[0.5,-1]]}`, &decFinal)
	if dec.Step != 16 || !bytes.Equal(dec.Data, wantDec.Data) || bytes.Equal(dec.Data, decFinal.Data) {
		t.Fatalf("decode at step 16: step %d, same as the kept weights' %v, same as the final's %v", dec.Step, bytes.Equal(dec.Data, wantDec.Data), bytes.Equal(dec.Data, decFinal.Data))
	}
	var stats lab.LatentStats
	ts.call(t, "GET", api+"/latent-stats?step=16", "", &stats)
	if stats.Step != 16 || !slices.Equal(stats.Bounds.Lo, want.Bounds.Lo) {
		t.Fatalf("latent-stats at step 16: step %d bounds %v; want 16, %v", stats.Step, stats.Bounds.Lo, want.Bounds.Lo)
	}
	var enc lab.Encoded
	ts.call(t, "POST", api+"/encode?step=32", `{"examples":[0]}`, &enc)
	if enc.Step != 32 {
		t.Fatalf("encode at step 32 ran on step %d", enc.Step)
	}

	for _, tc := range []struct{ method, path, body, says string }{
		{"GET", api + "/manifold?step=33", "", "step = 33: session " + c.ID + " has trained 32 steps, so step must be from 0 to 32"},
		{"GET", api + "/manifold?step=-1", "", "step must be a whole number"},
		{"GET", api + "/manifold?step=", "", "step must be a whole number"},
		{"GET", api + "/latent-stats?step=1.5", "", "step must be a whole number"},
		{"POST", api + "/decode?step=abc", `{"z":[[0,0]]}`, "step must be a whole number"},
		{"POST", api + "/interpolate?step=99", `{"from":0,"to":1}`, "step must be from 0 to 32"},
	} {
		res, b := ts.do(t, tc.method, tc.path, tc.body, nil)
		var e errorBody
		if err := json.Unmarshal(b, &e); err != nil || res.StatusCode != http.StatusBadRequest || e.Field != "step" || !strings.Contains(e.Error, tc.says) {
			t.Fatalf("%s %s = %d %.300s; want 400 naming step, saying %q", tc.method, tc.path, res.StatusCode, b, tc.says)
		}
	}
}

// Of the kept steps and the latest snapshot's, the nearest is used; of two
// as near, the earlier.
func TestNearestKept(t *testing.T) {
	for _, tc := range []struct {
		kept             []int
		live, step, want int
	}{
		{[]int{16, 32}, 32, 0, 16},
		{[]int{16, 32}, 32, 24, 16},
		{[]int{16, 32}, 32, 25, 32},
		{nil, 40, 3, 40},
		{[]int{100, 200}, 250, 240, 250},
		{[]int{100, 200}, 250, 225, 200},
	} {
		if got := lab.NearestKept(tc.kept, tc.live, tc.step); got != tc.want {
			t.Errorf("NearestKept(%v, %d, %d) = %d, want %d", tc.kept, tc.live, tc.step, got, tc.want)
		}
	}
}
