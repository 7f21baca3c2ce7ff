package handlers

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aelab/aelab/internal/store/sqlite"
	"github.com/aelab/aelab/session"
)

// POST /api/sessions/{id}/resume of an interrupted run: its owner resumes
// it from its checkpoint (204, and the session says where); anyone else is
// refused (401 without a key, 403 with another's), as is a finished run
// (409, saying why) and an unknown one (404).
func TestResumeInterruptedAPI(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() }) // after the server's own cleanup
	// A first server life: a training that the shutdown interrupts after
	// its first epoch.
	m1 := session.NewManager(session.Options{Datasets: registry, Store: st})
	s, token, err := m1.Create(session.Config{Encoder: []int{32}, Bottleneck: 2, TrainSize: 2000, TestSize: 300,
		BatchSize: 16, Epochs: 40, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	done, doneToken, err := m1.Create(session.Config{Encoder: []int{16}, Bottleneck: 2, TrainSize: 256, TestSize: 100, BatchSize: 32, Epochs: 1, Seed: 12})
	if err != nil {
		t.Fatal(err)
	}
	<-done.Done()
	waitFor(t, func() bool { return s.Info().Epoch >= 2 })
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := m1.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}

	// The second life, on the same store.
	m2 := session.NewManager(session.Options{Datasets: registry, Store: st})
	if err := m2.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	ts := newTestServerWith(t, func(d *Deps) { d.Sessions = m2 })
	path := "/api/sessions/" + s.ID() + "/resume"
	if res, b := ts.do(t, "POST", path, "", nil); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("resume without an owner key: %d %s, want 401", res.StatusCode, b)
	}
	other := map[string]string{"Authorization": "Bearer not-the-owner-token"}
	if res, b := ts.do(t, "POST", path, "", other); res.StatusCode != http.StatusForbidden {
		t.Fatalf("resume by someone else: %d %s, want 403", res.StatusCode, b)
	}
	if got, _ := m2.Get(s.ID()); got.State() != session.Interrupted {
		t.Fatalf("a refused resume changed the session: %s", got.State())
	}
	if res, b := ts.do(t, "POST", "/api/sessions/nosuchsession/resume", "", other); res.StatusCode != http.StatusNotFound {
		t.Fatalf("resume of an unknown session: %d %s, want 404", res.StatusCode, b)
	}
	doneAuth := map[string]string{"Authorization": "Bearer " + doneToken}
	res, b := ts.do(t, "POST", "/api/sessions/"+done.ID()+"/resume", "", doneAuth)
	if res.StatusCode != http.StatusConflict || !strings.Contains(string(b), "has completed: only a paused or interrupted training can be resumed") {
		t.Fatalf("resume of a completed run by its owner: %d %s, want 409 saying why", res.StatusCode, b)
	}
	owner := map[string]string{"Authorization": "Bearer " + token}
	if res, b := ts.do(t, "POST", path, "", owner); res.StatusCode != http.StatusNoContent {
		t.Fatalf("resume by its owner: %d %s, want 204", res.StatusCode, b)
	}
	res, b = ts.do(t, "GET", "/api/sessions/"+s.ID(), "", nil)
	var in session.Info
	if err := json.Unmarshal(b, &in); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET the resumed session: %d %s", res.StatusCode, b)
	}
	// 125 steps an epoch; it was stopped in its second epoch or later.
	if in.ResumedAt == nil || in.ResumedAt.Step <= 125 || in.ResumedAt.Epoch != in.ResumedAt.Step/125 || in.TotalSteps != 5000 || in.State.Terminal() {
		t.Fatalf("the resumed session: %s, resumed at %+v of %d steps; want live, resumed after step 125 of 5000", in.State, in.ResumedAt, in.TotalSteps)
	}
	if !strings.Contains(string(b), `"resumed_at"`) {
		t.Fatalf("the session's JSON does not say where it resumed: %s", b)
	}
	if _, page := ts.do(t, "GET", "/sessions/"+s.ID(), "", nil); !strings.Contains(string(page), "Resumed at epoch "+groupDigits(in.ResumedAt.Epoch)+", step "+groupDigits(in.ResumedAt.Step)) {
		t.Fatalf("the session page does not say where the run resumed (%+v)", in.ResumedAt)
	}
	// Resuming it again while it queues or trains: nothing to do.
	if res, b := ts.do(t, "POST", path, "", owner); res.StatusCode != http.StatusNoContent {
		t.Fatalf("resume of a running training: %d %s, want 204", res.StatusCode, b)
	}
	if res, b := ts.do(t, "POST", "/api/sessions/"+s.ID()+"/stop", "", owner); res.StatusCode != http.StatusNoContent {
		t.Fatalf("stop: %d %s", res.StatusCode, b)
	}
	ns, _ := m2.Get(s.ID())
	<-ns.Done()
	res, b = ts.do(t, "POST", path, "", owner)
	if res.StatusCode != http.StatusConflict || !strings.Contains(string(b), "only a paused or interrupted training can be resumed") {
		t.Fatalf("resume of a stopped run: %d %s, want 409 saying what can be resumed", res.StatusCode, b)
	}
}
