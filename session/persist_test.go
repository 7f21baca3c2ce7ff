package session_test

import (
	"context"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/aelab/aelab/datasets"
	"github.com/aelab/aelab/internal/store/sqlite"
	"github.com/aelab/aelab/session"
)

var registry = datasets.NewRegistry("")

func openStore(t *testing.T, dir string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// restarted is a restart on the store in dir: a new manager that has
// restored what the store keeps, and its session id. The manager is shut
// down and the store closed when the test ends.
func restarted(t *testing.T, dir, id string) (*session.Manager, *session.Session) {
	t.Helper()
	st := openStore(t, dir)
	t.Cleanup(func() { _ = st.Close() })
	m := session.NewManager(session.Options{Datasets: registry, Store: st})
	t.Cleanup(func() { shutdown(t, m) })
	if err := m.Restore(context.Background()); err != nil {
		t.Fatal(err)
	}
	s, err := m.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return m, s
}

func shutdown(t *testing.T, m *session.Manager) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := m.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

func wait(t *testing.T, s *session.Session) {
	t.Helper()
	select {
	case <-s.Done():
	case <-time.After(90 * time.Second):
		t.Fatal("training did not end")
	}
}

// A graceful restart on the same store: an ended session answers as
// before (state, losses, curves, frames, weights), one that was training
// comes back interrupted with its curves, and Delete forgets one for good.
func TestRestartKeepsSessions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := openStore(t, dir)
	m := session.NewManager(session.Options{Datasets: registry, Store: st, MaxStoreBytes: 1 << 30})
	done, _, err := m.Create(session.Config{Encoder: []int{32}, Bottleneck: 2, TrainSize: 512, TestSize: 300, BatchSize: 32, Epochs: 2, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	wait(t, done)
	long, _, err := m.Create(session.Config{Encoder: []int{64}, Bottleneck: 4, TrainSize: 20000, TestSize: 200, BatchSize: 16, Epochs: 50, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for long.Info().Epoch < 2 { // past one epoch's checkpoint
		time.Sleep(20 * time.Millisecond)
	}
	other, _, err := m.Create(session.Config{Encoder: []int{32}, Bottleneck: 4, TrainSize: 512, TestSize: 300, BatchSize: 32, Epochs: 1, Seed: 8})
	if err != nil {
		t.Fatal(err)
	}
	wait(t, other)
	cs := session.NewComparisonStore(m)
	cmp, err := cs.Group([]string{done.ID(), other.ID()})
	if err != nil {
		t.Fatal(err)
	}
	labels := cmp.Labels()
	if err := cs.Close(ctx); err != nil {
		t.Fatal(err)
	}
	snap1, err := done.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hist1, err := done.History()
	if err != nil {
		t.Fatal(err)
	}
	info1 := done.Info()
	longHist, _ := long.History()
	shutdown(t, m)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st = openStore(t, dir)
	defer st.Close()
	m = session.NewManager(session.Options{Datasets: registry, Store: st, MaxStoreBytes: 1 << 30})
	defer shutdown(t, m)
	if err := m.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := m.Get(done.ID())
	if err != nil {
		t.Fatal(err)
	}
	info2 := got.Info()
	if info2.State != session.Completed || *info2.TestLoss != *info1.TestLoss || info2.Step != info1.Step ||
		!info2.FinishedAt.Equal(*info1.FinishedAt) || !reflect.DeepEqual(info2.Config, info1.Config) {
		t.Fatalf("after a restart:\n got %+v\nwant %+v", info2, info1)
	}
	hist2, err := got.History()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(hist2.Train, hist1.Train) || !reflect.DeepEqual(hist2.Test, hist1.Test) ||
		!reflect.DeepEqual(hist2.Latent, hist1.Latent) || !reflect.DeepEqual(hist2.Reconstructions, hist1.Reconstructions) ||
		!reflect.DeepEqual(hist2.Progress, hist1.Progress) {
		t.Fatalf("curves or frames changed through a restart: %d/%d train points, %d/%d test points",
			len(hist2.Train), len(hist1.Train), len(hist2.Test), len(hist1.Test))
	}
	// The weights come back for the views that run the model.
	snap2, err := got.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ds := got.Dataset()
	x := ds.Test.Rows(nil, 0, 20)
	a, b := make([]float32, len(x)), make([]float32, len(x))
	snap1.Reconstruct(a, x, 20)
	snap2.Reconstruct(b, x, 20)
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			t.Fatalf("reconstruction %d: %v after the restart, %v before", i, b[i], a[i])
		}
	}

	// The training in progress came back interrupted, its curves kept.
	lg, err := m.Get(long.ID())
	if err != nil {
		t.Fatal(err)
	}
	if in := lg.Info(); in.State != session.Interrupted || in.Error == "" {
		t.Fatalf("the training in progress came back %s (%q), want interrupted with a reason", in.State, in.Error)
	}
	lh, _ := lg.History()
	if len(lh.Train) < len(longHist.Train) || len(lh.Test) < 2 {
		t.Fatalf("interrupted session kept %d train and %d test points; it had %d and %d before the restart",
			len(lh.Train), len(lh.Test), len(longHist.Train), len(longHist.Test))
	}
	if _, err := lg.Snapshot(ctx); err != nil {
		t.Fatalf("the interrupted session's checkpoint: %v", err)
	}

	// The comparison is back, with its members and their labels.
	cs = session.NewComparisonStore(m)
	defer cs.Close(ctx)
	if err := cs.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	cmp2, err := cs.Get(cmp.ID())
	if err != nil {
		t.Fatal(err)
	}
	if got := cmp2.Labels(); !reflect.DeepEqual(got, labels) || cmp2.Sessions()[1].ID() != other.ID() {
		t.Fatalf("restored comparison: labels %v, want %v", got, labels)
	}

	// Delete forgets it, in memory and in the store.
	if err := m.Delete(ctx, got); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Get(done.ID()); err == nil {
		t.Fatal("a deleted session is still found")
	}
	if pts, _ := st.Points(ctx, done.ID()); len(pts) != 0 {
		t.Fatalf("the store kept %d points of a deleted session", len(pts))
	}
	recs, _ := st.Sessions(ctx)
	if len(recs) != 2 || recs[0].ID == done.ID() || recs[1].ID == done.ID() {
		t.Fatalf("store sessions after a delete: %v", recs)
	}
}
