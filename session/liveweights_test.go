package session_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aelab/aelab/internal/bus"
	"github.com/aelab/aelab/internal/natstest"
	"github.com/aelab/aelab/session"
)

// countingRelay counts the fetches of weights a replica starts (the first
// chunk of each), and can hold them unanswered (a training replica that
// does not answer in time).
type countingRelay struct {
	session.RunRelay
	fetches atomic.Int32
	mute    atomic.Bool
}

func (c *countingRelay) Ask(ctx context.Context, id string, r session.RunRequest) (session.RunReply, error) {
	if r.Action == "weights" && r.Version == 0 {
		c.fetches.Add(1)
		if c.mute.Load() {
			<-ctx.Done()
			return session.RunReply{}, ctx.Err()
		}
	}
	return c.RunRelay.Ask(ctx, id, r)
}

// weightsReplicas is busReplicas with the relay of b counted: a takes jobs,
// b only mirrors them. The store keeps checkpoints (st reads them).
func weightsReplicas(t *testing.T) (a, b *session.Manager, relay *countingRelay, st session.Store, stopA func()) {
	t.Helper()
	ns := natstest.Start(t)
	dir := t.TempDir()
	var buses []*bus.Bus
	var closers []interface{ Close() error }
	var mgrs []*session.Manager
	for _, name := range []string{"a", "b"} {
		bb, err := bus.Connect(context.Background(), ns.ClientURL(), bus.Options{Replica: name, AckWait: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		s := openStore(t, dir)
		c := bb.Cluster()
		if name == "b" {
			relay = &countingRelay{RunRelay: c.Relay}
			c.Relay = relay
			st = s
		}
		m := session.NewManager(session.Options{Datasets: registry, Store: s, Cluster: c, MaxRunning: 1})
		if name == "a" {
			m.ServeJobs()
		}
		buses, closers, mgrs = append(buses, bb), append(closers, s), append(mgrs, m)
	}
	var once sync.Once
	stopA = func() { once.Do(func() { shutdown(t, mgrs[0]) }) }
	t.Cleanup(func() {
		stopA()
		shutdown(t, mgrs[1])
		for _, bb := range buses {
			bb.Close()
		}
		for _, c := range closers {
			_ = c.Close()
		}
		ns.Shutdown()
		ns.WaitForShutdown()
	})
	return mgrs[0], mgrs[1], relay, st, stopA
}

// The model views of a run that replica a trains, asked through replica
// b, run on a's live weights, fetched over the bus: past the last epoch's
// checkpoint while it trains, bit for bit the trainer's weights once
// paused, one fetch for 30 views at once. When a does not answer in time,
// or no replica trains the run any more, the views run on the run's
// latest checkpoint, marked as such.
func TestMirrorViewsRunOnLiveWeights(t *testing.T) {
	a, b, relay, st, stopA := weightsReplicas(t)
	ctx := context.Background()
	cfg := smallConfig()
	cfg.TrainSize, cfg.BatchSize, cfg.Epochs = 4096, 16, 100 // 256 steps an epoch
	const perEpoch = 256
	started, err := a.Start("10.0.0.1", cfg)
	if err != nil {
		t.Fatal(err)
	}
	id := started[0].Session.ID()
	deadline := time.Now().Add(90 * time.Second) // a loaded machine under -race is slow
	var trainer *session.Session
	for trainer == nil || trainer.State() != session.Running {
		if time.Now().After(deadline) {
			t.Fatal("the run did not start in time")
		}
		time.Sleep(20 * time.Millisecond)
		if s, err := a.Get(id); err == nil && s.Info().Replica == "a" {
			trainer = s
		}
	}
	// Past the first epoch's checkpoint.
	ckptStep := func() int {
		c, err := st.Checkpoint(ctx, id)
		if err != nil || c == nil {
			return -1
		}
		return c.Step
	}
	for ckptStep() < perEpoch {
		if time.Now().After(deadline) {
			t.Fatal("the run kept no checkpoint in time")
		}
		time.Sleep(20 * time.Millisecond)
	}
	mirror, err := b.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	if mirror == trainer || mirror.Info().Replica != "a" {
		t.Fatalf("b's session of the run is not a mirror of a's training (replica %q)", mirror.Info().Replica)
	}

	// While it trains: the weights are at least as far as the trainer was
	// when they were asked for.
	before := trainer.Info().Step
	w, err := mirror.LiveWeights(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if w.Checkpoint || w.Snap.Steps() < before {
		t.Fatalf("b's view ran on step %d (checkpoint %v); the trainer was at step %d when asked", w.Snap.Steps(), w.Checkpoint, before)
	}
	t.Logf("running: trainer at step %d when asked, b's weights at step %d, the store's checkpoint at step %d", before, w.Snap.Steps(), ckptStep())

	// Paused mid-epoch: exactly the trainer's weights.
	if err := mirror.Pause(); err != nil {
		t.Fatal(err)
	}
	for trainer.State() != session.Paused {
		if time.Now().After(deadline) {
			t.Fatal("the run did not pause")
		}
		time.Sleep(10 * time.Millisecond)
	}
	local, err := trainer.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if local.Steps()%perEpoch == 0 { // on an epoch's end: one step further
		if _, err := mirror.Step(ctx, 1); err != nil {
			t.Fatal(err)
		}
		if local, err = trainer.Snapshot(ctx); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(600 * time.Millisecond) // the copy fetched while running is no longer fresh
	n := relay.fetches.Load()
	var wg sync.WaitGroup
	got := make([]session.Weights, 30)
	errs := make([]error, 30)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = mirror.LiveWeights(ctx)
		}()
	}
	wg.Wait()
	if f := relay.fetches.Load() - n; f != 1 {
		t.Errorf("30 views at once fetched the weights %d times, want once", f)
	}
	for i, w := range got {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if w.Snap != got[0].Snap {
			t.Fatal("views at once got different copies")
		}
	}
	w = got[0]
	if w.Checkpoint || w.Snap.Steps() != local.Steps() || !slices.Equal(w.Snap.Params(), local.Params()) {
		t.Fatalf("b's view of the paused run: step %d (checkpoint %v), equal weights %v; the trainer is at step %d",
			w.Snap.Steps(), w.Checkpoint, slices.Equal(w.Snap.Params(), local.Params()), local.Steps())
	}
	if ck := ckptStep(); w.Snap.Steps() <= ck {
		t.Fatalf("b's view at step %d is not past the store's checkpoint at step %d", w.Snap.Steps(), ck)
	}

	// The training replica does not answer in time: the checkpoint, marked.
	relay.mute.Store(true)
	session.SetLiveFetchWait(t, 300*time.Millisecond) // no view runs now
	time.Sleep(600 * time.Millisecond)
	start := time.Now()
	w, err = mirror.LiveWeights(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !w.Checkpoint || w.Snap.Steps() != ckptStep() {
		t.Fatalf("with a mute trainer b's view ran on step %d (checkpoint %v), want the store's checkpoint at step %d", w.Snap.Steps(), w.Checkpoint, ckptStep())
	}
	t.Logf("a mute trainer: the checkpoint after %s", time.Since(start).Round(time.Millisecond))
	relay.mute.Store(false)

	// No replica trains it any more (a shut down, nobody takes the job):
	// the checkpoint a wrote where it stopped, marked.
	stopA()
	for mirror.State() != session.Interrupted { // the handover: the checkpoint served before is forgotten
		if time.Now().After(deadline) {
			t.Fatalf("b's mirror shows %s, want the run interrupted", mirror.State())
		}
		time.Sleep(10 * time.Millisecond)
	}
	w, err = mirror.LiveWeights(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !w.Checkpoint || w.Snap.Steps() != ckptStep() || w.Snap.Steps() != local.Steps() {
		t.Fatalf("with the trainer gone b's view ran on step %d (checkpoint %v), want the store's checkpoint at step %d (where a stopped: %d)",
			w.Snap.Steps(), w.Checkpoint, ckptStep(), local.Steps())
	}
}
