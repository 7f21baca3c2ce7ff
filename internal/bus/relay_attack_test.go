package bus

import (
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/aelab/aelab/datasets"
	"github.com/aelab/aelab/internal/natstest"
	"github.com/aelab/aelab/internal/store/sqlite"
	"github.com/aelab/aelab/session"
)

// pausedRunOnBus starts a replica on an in-process NATS server, has it
// train a small run and pauses it; it returns the run, a plain NATS
// connection to the same server (what anything on the bus can send), and
// the replica's manager.
func pausedRunOnBus(t *testing.T) (*session.Session, *nats.Conn) {
	t.Helper()
	ctx := context.Background()
	ns := natstest.Start(t)
	b := connect(t, ns.ClientURL(), "a", Options{AckWait: 10 * time.Second})
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	m := session.NewManager(session.Options{Datasets: datasets.NewRegistry(""), Store: st, Cluster: b.Cluster(), MaxRunning: 1})
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		_ = m.Shutdown(sctx)
	})
	m.ServeJobs()
	started, err := m.Start("10.0.0.1", session.Config{Dataset: "swiss_roll", Encoder: []int{16}, Bottleneck: 2, TrainSize: 2048, TestSize: 200, BatchSize: 16, Epochs: 100, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	id := started[0].Session.ID()
	deadline := time.Now().Add(60 * time.Second)
	var s *session.Session
	for {
		if s, err = m.Get(id); err == nil && s.Info().Replica == "a" && s.State() == session.Running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica did not train the run: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := s.Pause(); err != nil {
		t.Fatal(err)
	}
	for s.State() != session.Paused {
		if time.Now().After(deadline) {
			t.Fatalf("the run is %s, want paused", s.State())
		}
		time.Sleep(10 * time.Millisecond)
	}
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return s, nc
}

// askRaw sends data on the run's ask subject as any client of the bus
// could, and decodes the answer.
func askRaw(t *testing.T, nc *nats.Conn, id string, data []byte) (session.RunReply, error) {
	t.Helper()
	msg, err := nc.Request(AskSubject+id, data, 5*time.Second)
	if err != nil {
		return session.RunReply{}, err
	}
	var rep session.RunReply
	if err := json.Unmarshal(msg.Data, &rep); err != nil {
		t.Fatalf("the answer to %s is not a reply: %v (%q)", data, err, msg.Data)
	}
	return rep, nil
}

// A step relayed on the bus with a batch count out of range (what a
// replica's HTTP handler would refuse, but anything on the bus can send) is
// refused naming batches; the run stays paused and steps afterwards. A
// request that is not JSON gets an answer saying so at once, instead of
// leaving the asker waiting for its deadline.
func TestRelayRefusesForgedRequests(t *testing.T) {
	s, nc := pausedRunOnBus(t)
	id := s.ID()
	for _, body := range []string{
		`{"action":"step","batches":-1}`,
		`{"action":"step","batches":0}`,
		`{"action":"step","batches":1000000000}`,
		`{"action":"step","batches":-9223372036854775808}`,
	} {
		rep, err := askRaw(t, nc, id, []byte(body))
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if rep.Error == nil || rep.Error.Code != session.EInvalid || rep.Error.Field != "batches" {
			t.Errorf("%s: answered %+v, want a refusal naming batches", body, rep.Error)
		}
		time.Sleep(50 * time.Millisecond)
		if st := s.State(); st != session.Paused {
			t.Fatalf("after %s the run is %s (%s), want paused", body, st, s.Info().Error)
		}
	}
	for _, body := range []string{`{"action":`, `[1,2]`, `{"action":"step","batches":"1"}`, ``} {
		start := time.Now()
		rep, err := askRaw(t, nc, id, []byte(body))
		if err != nil {
			t.Errorf("%q: no answer (%v) after %s; want a refusal", body, err, time.Since(start).Round(time.Millisecond))
			continue
		}
		if rep.Error == nil || rep.Error.Code != session.EInvalid {
			t.Errorf("%q: answered %+v, want invalid", body, rep.Error)
		}
	}
	rep, err := askRaw(t, nc, id, []byte(`{"action":"step","batches":2}`))
	if err != nil || rep.Error != nil || rep.Step == nil || rep.Step.Batches != 2 {
		t.Fatalf("a good step after the forged ones: %+v, %v", rep, err)
	}
}

// A flood of requests about a run (here 1,000 at once, none answered
// before the flood ends) is answered by at most maxAnswering goroutines at
// once; the rest get a "busy" answer at once instead of a goroutine and an
// answer each.
func TestRelayBoundsTheRequestsItAnswers(t *testing.T) {
	url := startServer(t)
	b := connect(t, url, "a", Options{})
	release := make(chan struct{})
	var running, most atomic.Int32
	stop, err := b.Serve("run1", func(ctx context.Context, r session.RunRequest) session.RunReply {
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		defer running.Add(-1)
		<-release
		return session.RunReply{Incarnation: "x"}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	const flood = 1000
	replies := make(chan *nats.Msg, flood)
	inbox := nats.NewInbox()
	sub, err := nc.ChanSubscribe(inbox, replies)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	before := runtime.NumGoroutine()
	for range flood {
		if err := nc.PublishRequest(AskSubject+"run1", inbox, []byte(`{"action":"weights"}`)); err != nil {
			t.Fatal(err)
		}
	}
	busy := 0
	deadline := time.After(20 * time.Second)
	for busy < flood-maxAnswering {
		select {
		case m := <-replies:
			var rep session.RunReply
			if err := json.Unmarshal(m.Data, &rep); err != nil || rep.Error == nil || rep.Error.Code != session.EUnavailable {
				t.Fatalf("an answer during the flood: %s (%v)", m.Data, err)
			}
			busy++
		case <-deadline:
			t.Fatalf("%d busy answers of %d, %d answering, %d goroutines more than before", busy, flood-maxAnswering, running.Load(), runtime.NumGoroutine()-before)
		}
	}
	if g := runtime.NumGoroutine() - before; g > maxAnswering+20 {
		t.Errorf("%d goroutines more than before the flood, want at most about %d", g, maxAnswering)
	}
	close(release)
	for answered := 0; answered < maxAnswering; answered++ {
		select {
		case m := <-replies:
			if !strings.Contains(string(m.Data), `"incarnation":"x"`) {
				t.Fatalf("an answer after the flood: %s", m.Data)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%d of the %d requests admitted were answered", answered, maxAnswering)
		}
	}
	if m := most.Load(); m > maxAnswering {
		t.Errorf("%d requests answered at once, want at most %d", m, maxAnswering)
	}
}
