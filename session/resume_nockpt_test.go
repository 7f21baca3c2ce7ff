package session_test

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/aelab/aelab/session"
)

// A training killed (no graceful shutdown) before its first epoch ended
// has no checkpoint in the store. Resuming it trains from the start, as
// docs/api.md says, and ends as the uninterrupted run: it must not fail on
// the missing weights.
func TestResumeInterruptedWithoutCheckpointStartsOver(t *testing.T) {
	ctx := context.Background()
	const seed = 4343
	cfg := resumeConfig(seed)

	ref := session.NewManager(session.Options{Datasets: registry})
	defer shutdown(t, ref)
	rs, _, err := ref.Create(cfg)
	if err != nil {
		t.Fatal(err)
	}
	wait(t, rs)
	refHist, _ := rs.History()
	refSnap, err := rs.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total := rs.Info().TotalSteps

	// What a SIGKILL 40 steps into the first epoch leaves: the session's
	// head, still running, a few curve points, and no checkpoint.
	dir := t.TempDir()
	st := openStore(t, dir)
	c, fe := session.Validate(cfg, registry, session.DefaultLimits())
	if err := fe.Err(); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := st.Write(ctx, &session.Batch{
		Sessions: []session.SessionRecord{{ID: "killed01", OwnerHash: make([]byte, 32), Config: c,
			State: session.Running, Epoch: 0, Step: 40, TotalSteps: total, CreatedAt: now, StartedAt: now}},
		Points: map[string][]session.SeriesPoint{"killed01": {{Series: session.SeriesTrain, Step: 40, Value: 99}}},
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st = openStore(t, dir)
	defer st.Close()
	m := session.NewManager(session.Options{Datasets: registry, Store: st})
	defer shutdown(t, m)
	if err := m.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	old, err := m.Get("killed01")
	if err != nil {
		t.Fatal(err)
	}
	if st := old.Info().State; st != session.Interrupted {
		t.Fatalf("after the restart the run is %s, want interrupted", st)
	}
	ns, err := m.ResumeInterrupted(ctx, "192.0.2.1:1234", old)
	if err != nil {
		t.Fatal(err)
	}
	wait(t, ns)
	in := ns.Info()
	if in.State != session.Completed || in.Step != total {
		t.Fatalf("the resumed run ended %s (%q) at step %d; want completed at %d", in.State, in.Error, in.Step, total)
	}
	hist, _ := ns.History()
	checkCurve(t, "train", hist.Train, total)
	for _, p := range hist.Train {
		if p.Loss == 99 {
			t.Fatalf("a point recorded before the crash (step %d) survived the restart from scratch", p.Step)
		}
	}
	if len(hist.Test) != len(refHist.Test) {
		t.Fatalf("%d test points, uninterrupted %d", len(hist.Test), len(refHist.Test))
	}
	for i, p := range hist.Test {
		if q := refHist.Test[i]; p.Step != q.Step || math.Float64bits(p.Loss) != math.Float64bits(q.Loss) {
			t.Fatalf("test point %d: step %d loss %v; uninterrupted step %d loss %v", i, p.Step, p.Loss, q.Step, q.Loss)
		}
	}
	snap, err := ns.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(snap.Params(), refSnap.Params()) {
		t.Fatal("the restarted run's final weights differ from the uninterrupted run's")
	}
}
