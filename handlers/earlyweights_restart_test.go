package handlers

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aelab/aelab/internal/lab"
	"github.com/aelab/aelab/internal/store/sqlite"
	"github.com/aelab/aelab/session"
)

// The weights a small run keeps before its first epoch's end are in the
// store: after a restart (the server shut down, its store closed and
// opened again), ?step= at an early step still runs on the weights of
// that step, giving the very manifold it gave before the restart.
func TestEarlyWeightsSurviveARestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	m1 := session.NewManager(session.Options{Datasets: registry, Store: st})
	ts1 := newTestServerWith(t, func(d *Deps) { d.Sessions = m1 })
	// 16 steps an epoch: early weights at 0, 1, 2, 5 and 10.
	c := ts1.create(t, smallJSON)
	s, _ := m1.Get(c.ID)
	waitEnded(t, s)
	m1.FlushStore()
	api := "/api/sessions/" + c.ID
	var before, final lab.Manifold
	ts1.call(t, "GET", api+"/manifold?rows=8&cols=8&step=5", "", &before)
	ts1.call(t, "GET", api+"/manifold?rows=8&cols=8", "", &final)
	if before.Step != 5 || bytes.Equal(before.Data, final.Data) {
		t.Fatalf("before the restart: the manifold at step=5 ran on step %d (same as the final one: %v)", before.Step, bytes.Equal(before.Data, final.Data))
	}
	if steps, err := st.EarlyWeightSteps(ctx, c.ID); err != nil || !slices.Equal(steps, []int{0, 1, 2, 5, 10}) {
		t.Fatalf("the store keeps early weights at %v, %v; want [0 1 2 5 10]", steps, err)
	}
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := m1.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st2, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st2.Close() })
	m2 := session.NewManager(session.Options{Datasets: registry, Store: st2})
	if err := m2.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	ts2 := newTestServerWith(t, func(d *Deps) { d.Sessions = m2 })
	s2, err := m2.Get(c.ID)
	if err != nil {
		t.Fatalf("the run is gone after the restart: %v", err)
	}
	if kept, err := s2.KeptWeights(ctx); err != nil || !slices.Equal(kept, []int{0, 1, 2, 5, 10, 16, 32}) {
		t.Fatalf("after the restart KeptWeights = %v, %v; want [0 1 2 5 10 16 32]", kept, err)
	}
	var after, near lab.Manifold
	ts2.call(t, "GET", api+"/manifold?rows=8&cols=8&step=5", "", &after)
	ts2.call(t, "GET", api+"/manifold?rows=8&cols=8&step=4", "", &near) // nearer 5 than 2
	if after.Step != 5 || near.Step != 5 {
		t.Fatalf("after the restart the manifold at step=5 ran on step %d, at step=4 on %d; want 5", after.Step, near.Step)
	}
	if !bytes.Equal(after.Data, before.Data) || !slices.Equal(after.Bounds.Lo, before.Bounds.Lo) {
		t.Fatal("after the restart the manifold at step 5 differs from the one before it")
	}

	// Deleted with the run.
	if res, b := ts2.do(t, "DELETE", api, "", map[string]string{"Authorization": "Bearer " + c.OwnerToken}); res.StatusCode >= 300 {
		t.Fatalf("delete: %d %s", res.StatusCode, b)
	}
	m2.FlushStore()
	if steps, err := st2.EarlyWeightSteps(ctx, c.ID); err != nil || len(steps) != 0 {
		t.Fatalf("a deleted run's early weights are still in the store at %v, %v", steps, err)
	}
}
