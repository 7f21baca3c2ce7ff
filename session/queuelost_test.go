package session_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/aelab/aelab/internal/bus"
	"github.com/aelab/aelab/internal/natstest"
	"github.com/aelab/aelab/session"
)

// The job stream is lost (deleted here; NATS restarted without its
// storage does the same) while replica a trains one run and another waits
// in the queue, and a third was handed back by a replica that shut down:
// a makes the stream again and puts back the runs no replica trains. The
// run a trains goes on, trained once; the waiting one runs from its start
// when a has a slot again; the handed-back one resumes from where it
// stopped. Before, both stayed live in the store and on their pages for
// ever.
func TestLostJobStreamRequeuesLiveRuns(t *testing.T) {
	session.SetQueueCheck(t, 300*time.Millisecond)
	ns := natstest.Start(t)
	dir := t.TempDir()
	replica := func(name string, serve bool) (*session.Manager, func()) {
		bb, err := bus.Connect(context.Background(), ns.ClientURL(), bus.Options{Replica: name})
		if err != nil {
			t.Fatal(err)
		}
		st := openStore(t, dir)
		m := session.NewManager(session.Options{Datasets: registry, Store: st, Cluster: bb.Cluster(), MaxRunning: 1})
		if serve {
			m.ServeJobs()
		}
		var once sync.Once
		stop := func() { once.Do(func() { shutdown(t, m); bb.Close(); _ = st.Close() }) }
		t.Cleanup(stop)
		return m, stop
	}
	c, stopC := replica("c", true)
	a, stopA := replica("a", false)
	b, _ := replica("b", false)
	long := smallConfig()
	long.Epochs = 200
	session.SetStepHook(t, func(uint64, int) { time.Sleep(10 * time.Millisecond) }) // 16 steps an epoch
	trainedBy := func(m *session.Manager, id, name string) {
		t.Helper()
		waitRunning(t, m, id)
		if s, _ := m.Get(id); s.Info().Replica != name {
			t.Fatalf("run %s is trained by %q, want %q", id, s.Info().Replica, name)
		}
	}

	// c trains a run, then a (c is full) another; c shuts down, handing
	// its run back; a third waits.
	handed, err := c.Start("10.0.0.3", long)
	if err != nil {
		t.Fatal(err)
	}
	hid := handed[0].Session.ID()
	trainedBy(c, hid, "c")
	a.ServeJobs()
	first, err := a.Start("10.0.0.1", long)
	if err != nil {
		t.Fatal(err)
	}
	id1 := first[0].Session.ID()
	trainedBy(a, id1, "a")
	stopC()
	queued, err := b.Start("10.0.0.2", smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	id2 := queued[0].Session.ID()

	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	if err := js.DeleteStream(context.Background(), bus.JobStream); err != nil {
		t.Fatal(err)
	}
	// The queue is made again, with the three live runs' jobs on it.
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, err := js.Stream(context.Background(), bus.JobStream)
		if err == nil {
			if st.CachedInfo().State.Msgs == 3 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job stream was not made again with the three live runs' jobs: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	until := func(m *session.Manager, id string, ok func(*session.Session) bool, what string) *session.Session {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			s, err := m.Get(id)
			if err == nil && ok(s) {
				return s
			}
			if time.Now().After(deadline) {
				st := "?"
				if err == nil {
					st = string(s.State())
				}
				t.Fatalf("run %s, put back on the queue made again: %s, %v; want it %s", id, st, err, what)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	resumedOn := func(m *session.Manager, id, name string) {
		t.Helper()
		s := until(m, id, func(s *session.Session) bool {
			return s.Info().Replica == name && s.State() == session.Running
		}, "running on "+name)
		if r := s.Info().ResumedAt; r == nil || r.Step == 0 {
			t.Errorf("run %s resumed from %+v; want the step where it was handed back", id, r)
		}
		_ = s.Stop()
		wait(t, s)
	}
	// Replica e takes them: the waiting run trains from its start to its
	// end, the handed-back one resumes from the step it stopped at, and
	// the one a trains stays a's.
	e, _ := replica("e", true)
	until(e, id2, func(s *session.Session) bool { return s.State() == session.Completed }, "completed")
	resumedOn(e, hid, "e")
	if s, err := a.Get(id1); err != nil || s.State() != session.Running || s.Info().Replica != "a" {
		t.Fatalf("the run a trains: %v, %v", s.Info(), err)
	}
	if s, err := e.Get(id1); err != nil || s.Info().Replica != "a" {
		t.Fatalf("the run a trains, seen from e: %+v, %v; want it a's only", s.Info(), err)
	}
	// a shuts down: its run (whose job the lost queue had) goes to e
	// through the job that stood by.
	stopA()
	resumedOn(e, id1, "e")
}
