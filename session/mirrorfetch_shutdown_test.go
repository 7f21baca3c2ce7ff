package session_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aelab/aelab/session"
)

// slowRelay is a fake cluster whose training replica holds a fetch of
// weights unanswered until the asker gives up, then takes a second more
// to return (a bus slow to let go).
type slowRelay struct {
	*fakeCluster
	asked, returned atomic.Bool
}

func (f *slowRelay) Ask(ctx context.Context, id string, r session.RunRequest) (session.RunReply, error) {
	if r.Action != "weights" {
		return f.fakeCluster.Ask(ctx, id, r)
	}
	f.asked.Store(true)
	<-ctx.Done()
	time.Sleep(time.Second)
	f.returned.Store(true)
	return session.RunReply{}, ctx.Err()
}

// TestShutdownWaitsForAMirrorsWeightsFetch: the goroutine that fetches a
// mirrored run's live weights (shared by the views that wait for it, and
// outliving the view that started it) is counted in the manager's
// WaitGroup: Shutdown waits for it.
func TestShutdownWaitsForAMirrorsWeightsFetch(t *testing.T) {
	f := &slowRelay{fakeCluster: &fakeCluster{}}
	st := openStore(t, t.TempDir())
	m := session.NewManager(session.Options{Datasets: registry, Store: st,
		Cluster: &session.Cluster{Jobs: f, Events: f, Relay: f, Replica: "r1"}})
	t.Cleanup(func() { _ = st.Close() })
	m.ServeJobs()
	started, err := m.Start("10.0.0.1", smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	s := started[0].Session
	// A view that gives up before the fetch ends; the fetch goes on.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := s.LiveWeights(ctx); session.ErrorCode(err) != session.EUnavailable {
		t.Fatalf("a view that gave up: %v, want unavailable", err)
	}
	if !f.asked.Load() {
		t.Fatal("the mirror did not ask the training replica for the weights")
	}
	sctx, scancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer scancel()
	if err := m.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	if !f.returned.Load() {
		t.Fatal("Shutdown returned while the fetch of weights was still under way")
	}
}
