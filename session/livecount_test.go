package session_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aelab/aelab/internal/bus"
	"github.com/aelab/aelab/internal/natstest"
	"github.com/aelab/aelab/internal/sharedlimit"
	"github.com/aelab/aelab/session"
)

// liveReplicas is busReplicas with each address's live trainings counted
// in NATS key-value (as main wires -bus) and a share of maxPer per
// address; only a takes jobs.
func liveReplicas(t *testing.T, maxPer int) (a, b *session.Manager) {
	t.Helper()
	ns := natstest.Start(t)
	dir := t.TempDir()
	var mgrs []*session.Manager
	for _, name := range []string{"a", "b"} {
		bb, err := bus.Connect(context.Background(), ns.ClientURL(), bus.Options{Replica: name})
		if err != nil {
			t.Fatal(err)
		}
		live, err := sharedlimit.NewLive(context.Background(), bb.JetStream(), nil)
		if err != nil {
			t.Fatal(err)
		}
		// NATS may be slow to answer on a loaded machine: waited for,
		// not taken as lost (the fallback has tests of its own).
		live.SetTimeout(10 * time.Second)
		c := bb.Cluster()
		c.Live = live
		st := openStore(t, dir)
		m := session.NewManager(session.Options{Datasets: registry, Store: st, Cluster: c, MaxRunning: 1, MaxPerAddress: maxPer})
		if name == "a" {
			m.ServeJobs()
		}
		t.Cleanup(func() { shutdown(t, m); bb.Close(); _ = st.Close() })
		mgrs = append(mgrs, m)
	}
	return mgrs[0], mgrs[1]
}

func refusedPerAddress(err error) bool {
	var e *session.Error
	return errors.As(err, &e) && e.Code == session.EUnavailable && strings.Contains(e.Message, "your address already has")
}

// An address's share of live trainings (-max-per-address) holds across
// the replicas, and each run counts once in it: a run replica a admitted
// and trains (held there twice: by the mirror that followed it queued and
// by its training) and one replica b admitted fill a share of two, so a
// third is refused on either replica; another address is not affected;
// once the first run ends its place is free again on the other replica.
func TestLiveCountAcrossReplicas(t *testing.T) {
	// 800 steps took 0.3 s on CI's quiet cores: the run had completed
	// before the test stopped it. At 10 ms a step it trains for 8 s. (Set
	// first: its cleanup runs after the replicas have shut down.)
	session.SetStepHook(t, func(uint64, int) { time.Sleep(10 * time.Millisecond) })
	a, b := liveReplicas(t, 2)
	cfg := smallConfig()
	cfg.Epochs = 50
	first, err := a.Start("10.0.0.1", cfg)
	if err != nil {
		t.Fatal(err)
	}
	id := first[0].Session.ID()
	waitRunning(t, a, id)
	if _, err := b.Start("10.0.0.1", cfg); err != nil {
		t.Fatalf("the address's second training was refused: %v", err)
	}
	for name, m := range map[string]*session.Manager{"a": a, "b": b} {
		if _, err := m.Start("10.0.0.1", cfg); !refusedPerAddress(err) {
			t.Errorf("replica %s: a third training of the address: %v; want it refused for the address's share", name, err)
		}
	}
	if _, err := b.Start("10.0.0.2", cfg); err != nil {
		t.Errorf("another address was refused: %v", err)
	}
	s, err := a.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	wait(t, s)
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, err := b.Start("10.0.0.1", cfg)
		if err == nil {
			break
		}
		if !refusedPerAddress(err) || time.Now().After(deadline) {
			t.Fatalf("after the first run ended, a start of its address on the other replica: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
