package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aelab/aelab/internal/store/sqlite"
	"github.com/aelab/aelab/session"
)

// The replay's index lists the run's keyframes; each frame carries the
// latent and reconstructions messages of that step, as the stream sent
// them (the last one is the final picture every viewer got); bad steps are
// refused naming the field.
func TestKeyframesAPI(t *testing.T) {
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ts := newTestServerWith(t, func(d *Deps) {
		d.Sessions = session.NewManager(session.Options{Datasets: registry, Store: st})
	})
	c := ts.create(t, smallJSON) // 512/32 = 16 steps an epoch, 2 epochs
	s, _ := ts.m.Get(c.ID)
	waitEnded(t, s)
	ts.m.FlushStore()

	res, b := ts.do(t, "GET", "/api/sessions/"+c.ID+"/keyframes", "", nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("index: %d %s", res.StatusCode, b)
	}
	var idx struct {
		Keyframes []struct {
			Step      int      `json:"step"`
			Epoch     float64  `json:"epoch"`
			TrainLoss *float64 `json:"train_loss"`
			TestLoss  *float64 `json:"test_loss"`
		} `json:"keyframes"`
		Max int `json:"max"`
	}
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	want := session.KeyframeSteps(16, 32)
	if len(idx.Keyframes) != len(want) || idx.Max != session.MaxKeyframes {
		t.Fatalf("index = %s; want steps %v", b, want)
	}
	for i, k := range idx.Keyframes {
		if k.Step != want[i] || k.TestLoss == nil || (k.Step > 0) != (k.TrainLoss != nil) {
			t.Fatalf("index entry %d = %+v; want step %d with its losses", i, k, want[i])
		}
	}

	res, b = ts.do(t, "GET", "/api/sessions/"+c.ID+"/keyframes/32", "", nil)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Cache-Control"), "max-age") {
		t.Fatalf("frame 32: %d %s %q", res.StatusCode, b, res.Header.Get("Cache-Control"))
	}
	var fr struct {
		Step            int     `json:"step"`
		Epoch           float64 `json:"epoch"`
		Latent          *session.Latent
		Reconstructions *session.Reconstructions
	}
	if err := json.Unmarshal(b, &fr); err != nil {
		t.Fatal(err)
	}
	h, err := s.History()
	if err != nil {
		t.Fatal(err)
	}
	if fr.Step != 32 || fr.Epoch != 2 || fr.Latent == nil || fr.Latent.Type != "latent" || fr.Reconstructions.Type != "reconstructions" {
		t.Fatalf("frame 32 = %.300s", b)
	}
	if fr.Latent.Step != h.Latent.Step || len(fr.Latent.X) != len(h.Latent.X) || fr.Latent.Projection != h.Latent.Projection {
		t.Fatalf("frame 32's scatter (step %d, %d points) is not the final one (step %d, %d points)", fr.Latent.Step, len(fr.Latent.X), h.Latent.Step, len(h.Latent.X))
	}
	if !bytes.Equal(fr.Reconstructions.Reconstructions, h.Reconstructions.Reconstructions) || fr.Reconstructions.Width != 28 {
		t.Fatal("frame 32's reconstructions are not the final ones")
	}
	_, b0 := ts.do(t, "GET", "/api/sessions/"+c.ID+"/keyframes/0", "", nil)
	var f0 struct{ Reconstructions *session.Reconstructions }
	if err := json.Unmarshal(b0, &f0); err != nil || f0.Reconstructions == nil || bytes.Equal(f0.Reconstructions.Reconstructions, fr.Reconstructions.Reconstructions) {
		t.Fatalf("frame 0 = %.200s (%v): want the untrained network's reconstructions, unlike the final ones", b0, err)
	}
	if _, again := ts.do(t, "GET", "/api/sessions/"+c.ID+"/keyframes/32", "", nil); !bytes.Equal(again, b) {
		t.Error("the cached frame differs from the first answer")
	}

	for _, tc := range []struct {
		path  string
		code  int
		field string
	}{
		{"/keyframes/abc", 400, "step"},
		{"/keyframes/-1", 400, "step"},
		{"/keyframes/99999999999999999999", 400, "step"},
		{"/keyframes/3", 404, ""},
	} {
		res, b := ts.do(t, "GET", "/api/sessions/"+c.ID+tc.path, "", nil)
		if res.StatusCode != tc.code || !strings.Contains(string(b), `"field": "`+tc.field+`"`) && tc.field != "" {
			t.Errorf("%s: %d %s; want %d naming %q", tc.path, res.StatusCode, b, tc.code, tc.field)
		}
	}
	if res, _ := ts.do(t, "GET", "/api/sessions/nosuch/keyframes", "", nil); res.StatusCode != 404 {
		t.Errorf("index of an unknown session: %d, want 404", res.StatusCode)
	}
}
