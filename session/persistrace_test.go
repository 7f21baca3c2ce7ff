package session_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aelab/aelab/internal/store/sqlite"
	"github.com/aelab/aelab/session"
)

// gateStore is a SQLite store whose next Write that carries a session's
// head blocks (once armed) until release is called: a writer slowed down
// in the middle of a flush.
type gateStore struct {
	*sqlite.Store
	mu      sync.Mutex
	armed   bool
	entered chan struct{} // closed when the gated Write has begun
	gate    chan struct{} // closed by release
	once    sync.Once
	deleted chan struct{} // closed when DeleteSession has returned
}

func newGateStore(st *sqlite.Store) *gateStore {
	return &gateStore{Store: st, entered: make(chan struct{}), gate: make(chan struct{}), deleted: make(chan struct{})}
}

func (g *gateStore) Write(ctx context.Context, b *session.Batch) error {
	g.mu.Lock()
	block := g.armed && len(b.Sessions) > 0
	if block {
		g.armed = false
	}
	g.mu.Unlock()
	if block {
		close(g.entered)
		<-g.gate
	}
	return g.Store.Write(ctx, b)
}

func (g *gateStore) DeleteSession(ctx context.Context, id string) error {
	err := g.Store.DeleteSession(ctx, id)
	select {
	case <-g.deleted:
	default:
		close(g.deleted)
	}
	return err
}

func (g *gateStore) release() { g.once.Do(func() { close(g.gate) }) }

// TestDeleteDuringAFlush: a run deleted while the store's writer is in the
// middle of writing a batch that holds its head stays deleted. Before,
// Delete forgot what was still pending and deleted the run from the store
// at once; the batch in flight then wrote the head again, and the deleted
// run came back at the next restart (with the curve points and weights of
// that batch).
func TestDeleteDuringAFlush(t *testing.T) {
	ctx := context.Background()
	sq := openStore(t, t.TempDir())
	t.Cleanup(func() { _ = sq.Close() })
	st := newGateStore(sq)
	m := session.NewManager(session.Options{Datasets: registry, Store: st})
	t.Cleanup(func() { st.release(); shutdown(t, m) })
	st.mu.Lock()
	st.armed = true
	st.mu.Unlock()
	s, _, err := m.Create(session.Config{Encoder: []int{16}, Bottleneck: 2, TrainSize: 256, TestSize: 100, BatchSize: 32, Epochs: 1, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	<-st.entered // the writer holds a batch with the run's head
	wait(t, s)
	go func() {
		// Without the fix the run is deleted from the store while the
		// batch waits; with it Delete waits for that batch, and the
		// writer is let go after a moment.
		select {
		case <-st.deleted:
		case <-time.After(300 * time.Millisecond):
		}
		st.release()
	}()
	if err := m.Delete(ctx, s); err != nil {
		t.Fatal(err)
	}
	m.FlushStore()
	recs, err := sq.Sessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.ID == s.ID() {
			t.Fatalf("the deleted run %s is back in the store (state %s) after the batch in flight was written", r.ID, r.State)
		}
	}
	if pts, _ := sq.Points(ctx, s.ID()); len(pts) > 0 {
		t.Errorf("the deleted run left %d curve points in the store", len(pts))
	}
	if c, _ := sq.Checkpoint(ctx, s.ID()); c != nil {
		t.Errorf("the deleted run left its weights of step %d in the store", c.Step)
	}
}

// TestStopAtAnEpochsEndKeepsItsWeights: a run stopped at an epoch's end
// whose checkpoint the store's writer had no room for (the budget full of
// other runs' weights) still leaves its weights of that step: the final
// weights are taken since that epoch's were not. Before, the final weights
// were skipped at every epoch's end ("just saved"), and the run kept none
// (or, stopped by a shutdown, resumed from an epoch earlier).
func TestStopAtAnEpochsEndKeepsItsWeights(t *testing.T) {
	ctx := context.Background()
	sq := openStore(t, t.TempDir())
	t.Cleanup(func() { _ = sq.Close() })
	m := session.NewManager(session.Options{Datasets: registry, Store: sq})
	t.Cleanup(func() { shutdown(t, m) })
	const seed = 4242
	const stepsPerEpoch = 8 // 256 examples in batches of 32
	created := make(chan *session.Session, 1)
	var once sync.Once
	session.SetStepHook(t, func(s uint64, step int) {
		if s == seed && step == stepsPerEpoch-1 { // stop once the epoch's last step is trained
			once.Do(func() { _ = (<-created).Stop() })
		}
	})
	release := session.FillWeightBudget(m)
	s, _, err := m.Create(session.Config{Encoder: []int{16}, Bottleneck: 2, TrainSize: 256, TestSize: 100, BatchSize: 32, Epochs: 3, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	created <- s
	wait(t, s)
	release()
	if st, step := s.State(), s.Info().Step; st != session.Stopped || step != stepsPerEpoch {
		t.Fatalf("the run ended %s at step %d; want stopped at the epoch's end, step %d", st, step, stepsPerEpoch)
	}
	m.FlushStore()
	c, err := sq.Checkpoint(ctx, s.ID())
	if err != nil {
		t.Fatal(err)
	}
	if c == nil || c.Step != stepsPerEpoch {
		t.Fatalf("kept weights %+v; want those of step %d, where the run stopped", c, stepsPerEpoch)
	}
}

// TestPausedAtAnEpochsEndKeepsItsWeights: a run paused at an epoch's end
// whose checkpoint the store's writer had no room for then gets it
// written once there is room, while it stays paused: a crash during a long
// pause (a class discussing) would otherwise cost the run that epoch.
// Before, the checkpoint was asked for again only at the next training
// steps, never while paused.
func TestPausedAtAnEpochsEndKeepsItsWeights(t *testing.T) {
	ctx := context.Background()
	sq := openStore(t, t.TempDir())
	t.Cleanup(func() { _ = sq.Close() })
	m := session.NewManager(session.Options{Datasets: registry, Store: sq})
	t.Cleanup(func() { shutdown(t, m) })
	const seed = 4343
	const stepsPerEpoch = 8 // 256 examples in batches of 32
	created := make(chan *session.Session, 1)
	var once sync.Once
	session.SetStepHook(t, func(s uint64, step int) {
		if s == seed && step == stepsPerEpoch-1 { // pause once the epoch's last step is trained
			once.Do(func() { _ = (<-created).Pause() })
		}
	})
	release := session.FillWeightBudget(m)
	s, _, err := m.Create(session.Config{Encoder: []int{16}, Bottleneck: 2, TrainSize: 256, TestSize: 100, BatchSize: 32, Epochs: 3, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	created <- s
	for deadline := time.Now().Add(30 * time.Second); s.State() != session.Paused; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the run is %s at step %d; want paused", s.State(), s.Info().Step)
		}
	}
	if step := s.Info().Step; step != stepsPerEpoch {
		t.Fatalf("paused at step %d; want %d, the epoch's end", step, stepsPerEpoch)
	}
	release()
	var c *session.Checkpoint
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		m.FlushStore()
		if c, err = sq.Checkpoint(ctx, s.ID()); err != nil {
			t.Fatal(err)
		}
		if c != nil {
			break
		}
	}
	if c == nil || c.Step != stepsPerEpoch || c.Final {
		t.Fatalf("while paused, kept weights %+v; want the epoch's checkpoint of step %d", c, stepsPerEpoch)
	}
	if s.State() != session.Paused {
		t.Errorf("the run is %s; want still paused", s.State())
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	wait(t, s)
}

// TestStopWithoutACPUTurnKeepsItsWeights: a run stopped while another
// holds every CPU turn (a crowded shutdown) ends without its final
// picture, but still with its final weights: copying them needs no turn.
// Before, they were taken only inside the final evaluation's turn, and
// the run kept nothing of the steps since its last epoch (here, none at
// all).
func TestStopWithoutACPUTurnKeepsItsWeights(t *testing.T) {
	ctx := context.Background()
	sq := openStore(t, t.TempDir())
	t.Cleanup(func() { _ = sq.Close() })
	var m *session.Manager
	const seedB, seedA, stopAt = 5151, 5252, 20
	cfg := func(seed uint64) session.Config {
		return session.Config{Encoder: []int{16}, Bottleneck: 2, TrainSize: 2048, TestSize: 100, BatchSize: 32, Epochs: 2, Seed: seed}
	}
	created := make(chan *session.Session, 1)
	releaseA := make(chan struct{})
	var onceA, onceB sync.Once
	session.SetStepHook(t, func(s uint64, step int) {
		switch {
		case s == seedB && step == stopAt:
			onceB.Do(func() {
				// Another run queues for the only CPU turn, then b is
				// stopped: b's next step ends its turn, the other takes
				// it and keeps it while b ends.
				b := <-created
				a, _, err := m.Create(cfg(seedA))
				if err != nil {
					t.Error(err)
					return
				}
				for deadline := time.Now().Add(30 * time.Second); a.State() != session.Running && time.Now().Before(deadline); {
					time.Sleep(5 * time.Millisecond)
				}
				time.Sleep(100 * time.Millisecond) // a waits for the turn
				_ = b.Stop()
			})
		case s == seedA:
			onceA.Do(func() { <-releaseA })
		}
	})
	// The manager, made after the hook, is shut down before the hook goes.
	m = session.NewManager(session.Options{Datasets: registry, Store: sq, Cores: 1})
	t.Cleanup(func() { shutdown(t, m) })
	defer close(releaseA)
	b, _, err := m.Create(cfg(seedB))
	if err != nil {
		t.Fatal(err)
	}
	created <- b
	wait(t, b)
	if st, step := b.State(), b.Info().Step; st != session.Stopped || step != stopAt+1 {
		t.Fatalf("the run ended %s at step %d; want stopped at %d", st, step, stopAt+1)
	}
	m.FlushStore()
	c, err := sq.Checkpoint(ctx, b.ID())
	if err != nil {
		t.Fatal(err)
	}
	if c == nil || c.Step != stopAt+1 || !c.Final {
		t.Fatalf("kept weights %+v; want the final weights of step %d", c, stopAt+1)
	}
}

// TestDeleteWaitsForAFlushWithinItsContext: a delete that would wait for
// a slow writer longer than its caller allows answers "unavailable, try
// again" and keeps the run (listed, in the store); asked again once the
// batch is written, it deletes it.
func TestDeleteWaitsForAFlushWithinItsContext(t *testing.T) {
	ctx := context.Background()
	sq := openStore(t, t.TempDir())
	t.Cleanup(func() { _ = sq.Close() })
	st := newGateStore(sq)
	m := session.NewManager(session.Options{Datasets: registry, Store: st})
	t.Cleanup(func() { st.release(); shutdown(t, m) })
	st.mu.Lock()
	st.armed = true
	st.mu.Unlock()
	s, _, err := m.Create(session.Config{Encoder: []int{16}, Bottleneck: 2, TrainSize: 256, TestSize: 100, BatchSize: 32, Epochs: 1, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	<-st.entered
	wait(t, s)
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	err = m.Delete(short, s)
	if session.ErrorCode(err) != session.EUnavailable {
		t.Fatalf("Delete while the writer is held: %v; want unavailable", err)
	}
	if _, err := m.Get(s.ID()); err != nil {
		t.Fatalf("the run is gone after a refused delete: %v", err)
	}
	st.release()
	if err := m.Delete(ctx, s); err != nil {
		t.Fatal(err)
	}
	m.FlushStore()
	if recs, _ := sq.Sessions(ctx); len(recs) != 0 {
		t.Errorf("the store keeps %d runs after the delete", len(recs))
	}
}
