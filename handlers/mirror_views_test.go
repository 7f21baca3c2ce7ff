package handlers

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aelab/aelab/internal/bus"
	"github.com/aelab/aelab/internal/natstest"
	"github.com/aelab/aelab/internal/store/sqlite"
	"github.com/aelab/aelab/session"
)

// Two replicas on one in-process NATS server and one store: replica a
// trains a run, the test server is replica b. A decode of the run through
// b answers with a's live weights (the paused trainer's step, past the
// last epoch's checkpoint); once a has stopped and no replica trains the
// run, with its checkpoint, marked "weights": "checkpoint" (and the
// header, the model download's too).
func TestMirrorViewsThroughAnotherReplica(t *testing.T) {
	ctx := context.Background()
	ns := natstest.Start(t)
	dir := t.TempDir()
	var mgrs []*session.Manager
	var stores []*sqlite.Store
	for _, name := range []string{"a", "b"} {
		bb, err := bus.Connect(ctx, ns.ClientURL(), bus.Options{Replica: name, AckWait: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(bb.Close)
		st, err := sqlite.Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		mgrs, stores = append(mgrs, session.NewManager(session.Options{Datasets: registry, Store: st, Cluster: bb.Cluster(), MaxRunning: 1})), append(stores, st)
	}
	a, b := mgrs[0], mgrs[1]
	var once sync.Once
	stopA := func() {
		once.Do(func() {
			sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			if err := a.Shutdown(sctx); err != nil {
				t.Errorf("shutdown of a: %v", err)
			}
		})
	}
	t.Cleanup(stopA)
	a.ServeJobs()
	ts := newTestServerWith(t, func(d *Deps) { d.Sessions = b })

	cfg := session.Config{Encoder: []int{32}, Bottleneck: 2, TrainSize: 4096, TestSize: 500, BatchSize: 16, Epochs: 100, Seed: 7}
	const perEpoch = 256
	started, err := a.Start("10.0.0.1", cfg)
	if err != nil {
		t.Fatal(err)
	}
	id := started[0].Session.ID()
	deadline := time.Now().Add(90 * time.Second)
	ckpt := func() int {
		c, err := stores[1].Checkpoint(ctx, id)
		if err != nil || c == nil {
			return -1
		}
		return c.Step
	}
	for ckpt() < perEpoch {
		if time.Now().After(deadline) {
			t.Fatal("the run kept no checkpoint in time")
		}
		time.Sleep(20 * time.Millisecond)
	}
	trainer, err := a.Get(id)
	if err != nil || trainer.Info().Replica != "a" {
		t.Fatalf("a does not train the run: %v", err)
	}
	if err := trainer.Pause(); err != nil {
		t.Fatal(err)
	}
	for trainer.State() != session.Paused {
		if time.Now().After(deadline) {
			t.Fatal("the run did not pause")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if sn, _ := trainer.Snapshot(ctx); sn.Steps()%perEpoch == 0 {
		if _, err := trainer.Step(ctx, 1); err != nil {
			t.Fatal(err)
		}
	}
	live, err := trainer.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}

	decode := func() (*http.Response, map[string]any) {
		res, body := ts.do(t, "POST", "/api/sessions/"+id+"/decode", `{"z":[[0,0]]}`, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("decode through b: %d %s", res.StatusCode, body)
		}
		var got map[string]any
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		return res, got
	}
	res, got := decode()
	if got["step"] != float64(live.Steps()) || got["weights"] != nil || res.Header.Get(weightsHeader) != "" {
		t.Fatalf("decode through b: step %v, weights %v, header %q; want the trainer's live step %d, unmarked",
			got["step"], got["weights"], res.Header.Get(weightsHeader), live.Steps())
	}
	if ck := ckpt(); live.Steps() <= ck {
		t.Fatalf("the live step %d is not past the checkpoint's %d", live.Steps(), ck)
	}

	// a stops; nobody takes the job: the checkpoint a wrote, marked.
	stopA()
	mirror, err := b.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	for mirror.State() != session.Interrupted {
		if time.Now().After(deadline) {
			t.Fatalf("b shows the run %s, want interrupted", mirror.State())
		}
		time.Sleep(10 * time.Millisecond)
	}
	res, got = decode()
	if got["step"] != float64(ckpt()) || got["weights"] != "checkpoint" || res.Header.Get(weightsHeader) != "checkpoint" {
		t.Fatalf("decode through b with no trainer: step %v, weights %v, header %q; want the checkpoint's step %d, marked",
			got["step"], got["weights"], res.Header.Get(weightsHeader), ckpt())
	}
	res, body := ts.do(t, "GET", "/api/sessions/"+id+"/model.safetensors", "", nil)
	if res.StatusCode != http.StatusOK || res.Header.Get(weightsHeader) != "checkpoint" || len(body) == 0 {
		t.Fatalf("model download through b with no trainer: %d, header %q", res.StatusCode, res.Header.Get(weightsHeader))
	}
}
