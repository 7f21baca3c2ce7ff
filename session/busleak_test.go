package session_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/aelab/aelab/internal/bus"
	"github.com/aelab/aelab/internal/natstest"
	"github.com/aelab/aelab/session"
)

// busReplicas runs a NATS server with JetStream in this process and two
// managers, each with a bus connection of its own and one shared store,
// as two replicas with -bus would be; only a takes jobs from the queue
// when bTrains is false. stop shuts the managers down, closes
// their connections and the store and stops the server, in that order.
func busReplicas(t *testing.T, bTrains bool) (a, b *session.Manager, stop func()) {
	t.Helper()
	ns := natstest.Start(t)
	dir := t.TempDir()
	var buses []*bus.Bus
	var stores []interface{ Close() error }
	var mgrs []*session.Manager
	for _, name := range []string{"a", "b"} {
		bb, err := bus.Connect(context.Background(), ns.ClientURL(), bus.Options{Replica: name, AckWait: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		st := openStore(t, dir)
		m := session.NewManager(session.Options{Datasets: registry, Store: st, Cluster: bb.Cluster(), MaxRunning: 1})
		if name == "a" || bTrains {
			m.ServeJobs()
		}
		buses, stores, mgrs = append(buses, bb), append(stores, st), append(mgrs, m)
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		for _, m := range mgrs {
			shutdown(t, m)
		}
		for _, bb := range buses {
			bb.Close()
		}
		for _, st := range stores {
			_ = st.Close()
		}
		ns.Shutdown()
		ns.WaitForShutdown()
	}
	t.Cleanup(stop)
	return mgrs[0], mgrs[1], stop
}

// gemmWorkers are the engine's pool, which lives as long as the process.
var gemmWorkers = goleak.IgnoreAnyFunction("github.com/aelab/aelab/ae/internal/gemm.worker")

// Two replicas in one process: one starts a run and trains it, in the
// place of the mirror it followed the queued run with; the other shows it
// to a viewer through a mirror. When both shut down while the run is
// live, no goroutine of theirs (hubs, mirrors, bus subscriptions) is left:
// the mirror the training replaced (which keeps feeding its viewers) is
// ended by Shutdown, not forgotten.
func TestBusReplicasLeaveNoGoroutineLive(t *testing.T) {
	before := goleak.IgnoreCurrent()
	a, b, stop := busReplicas(t, false)
	cfg := smallConfig()
	cfg.Epochs = 50
	started, err := a.Start("10.0.0.1", cfg)
	if err != nil {
		t.Fatal(err)
	}
	id := started[0].Session.ID()
	subA := started[0].Session.Subscribe()
	defer subA.Close()
	s, err := b.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	subB := s.Subscribe()
	defer subB.Close()
	waitRunning(t, a, id)
	for _, sub := range []*session.Subscription{subA, subB} {
		select {
		case <-sub.C:
		case <-time.After(10 * time.Second):
			t.Fatal("a viewer got no message")
		}
	}
	stop()
	goleak.VerifyNone(t, before, gemmWorkers)
}

// The same when the run ends first and its viewers leave before the
// replicas shut down.
func TestBusReplicasLeaveNoGoroutineEnded(t *testing.T) {
	before := goleak.IgnoreCurrent()
	a, b, stop := busReplicas(t, true)
	cfg := smallConfig()
	cfg.Epochs = 1
	started, err := a.Start("10.0.0.1", cfg)
	if err != nil {
		t.Fatal(err)
	}
	id := started[0].Session.ID()
	s, err := b.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	sub := s.Subscribe()
	for range sub.C {
	}
	sub.Close()
	wait(t, started[0].Session)
	wait(t, s)
	stop()
	goleak.VerifyNone(t, before, gemmWorkers)
}

func waitRunning(t *testing.T, m *session.Manager, id string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if s, err := m.Get(id); err == nil && s.State() == session.Running {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the run did not start")
}

// A mirror whose run is being handed over shows it interrupted but keeps
// following it; it is not an ended session that MaxFinished may forget,
// which would leave its hub and subscription beyond Shutdown's reach.
func TestHandedOverMirrorIsNotEvicted(t *testing.T) {
	before := goleak.IgnoreCurrent()
	f := &fakeCluster{}
	st := openStore(t, t.TempDir())
	m := session.NewManager(session.Options{Datasets: registry, Store: st, MaxFinished: 1, MaxQueued: 10,
		Cluster: &session.Cluster{Jobs: f, Events: f, Relay: f, Replica: "r1"}})
	started, err := m.Start("10.0.0.1", smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	s := started[0].Session
	handover, _ := json.Marshal(session.StateMsg{Type: session.TypeState, State: session.Interrupted})
	f.Publish(s.ID(), session.RunMessage{Incarnation: "elsewhere", Handover: true, Data: handover})
	if s.State() != session.Interrupted {
		t.Fatalf("state after the handover: %s, want interrupted", s.State())
	}
	for i := 0; i < 2; i++ {
		more, err := m.Start("10.0.0.2", smallConfig())
		if err != nil {
			t.Fatal(err)
		}
		if err := more[0].Session.Stop(); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := m.Get(s.ID()); err != nil || got != s {
		t.Fatalf("the handed-over mirror was forgotten: %v", err)
	}
	shutdown(t, m)
	_ = st.Close()
	goleak.VerifyNone(t, before, gemmWorkers)
}
