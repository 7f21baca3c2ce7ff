package session_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/aelab/aelab/session"
)

// fakeCluster is a cluster of one replica in memory: a queue nobody
// takes from, live messages delivered at once, and no replica training
// anything (every Ask: ErrNoTrainer).
type fakeCluster struct {
	mu      sync.Mutex
	jobs    []session.Job
	waiting int // added to the jobs in Waiting
	watch   map[string][]func(session.RunMessage)
	sent    []session.RunMessage
}

func (f *fakeCluster) Put(_ context.Context, j session.Job) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.jobs = append(f.jobs, j)
	return nil
}

func (f *fakeCluster) Waiting(context.Context) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.jobs) + f.waiting, nil
}

func (f *fakeCluster) Next(ctx context.Context) (session.Delivery, error) {
	select {
	case <-ctx.Done():
	case <-time.After(50 * time.Millisecond):
	}
	return nil, nil
}

func (f *fakeCluster) Publish(id string, m session.RunMessage) {
	f.mu.Lock()
	f.sent = append(f.sent, m)
	subs := append([]func(session.RunMessage){}, f.watch[id]...)
	f.mu.Unlock()
	for _, fn := range subs {
		fn(m)
	}
}

func (f *fakeCluster) Watch(id string, fn func(session.RunMessage)) (func(), error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.watch == nil {
		f.watch = map[string][]func(session.RunMessage){}
	}
	f.watch[id] = append(f.watch[id], fn)
	return func() {}, nil
}

func (f *fakeCluster) Serve(string, func(context.Context, session.RunRequest) session.RunReply) (func(), error) {
	return func() {}, nil
}

func (f *fakeCluster) Ask(context.Context, string, session.RunRequest) (session.RunReply, error) {
	return session.RunReply{}, session.ErrNoTrainer
}

func clusterManager(t *testing.T, f *fakeCluster, opt session.Options) (*session.Manager, session.Store) {
	t.Helper()
	st := openStore(t, t.TempDir())
	opt.Datasets, opt.Store = registry, st
	opt.Cluster = &session.Cluster{Jobs: f, Events: f, Relay: f, Replica: "r1"}
	m := session.NewManager(opt)
	t.Cleanup(func() { shutdown(t, m); _ = st.Close() })
	m.ServeJobs()
	return m, st
}

func smallConfig() session.Config {
	return session.Config{Encoder: []int{32}, Bottleneck: 2, TrainSize: 512, TestSize: 500, BatchSize: 32, Epochs: 3, Seed: 7}
}

// In a cluster, a start puts the run's head in the store and its job on
// the queue, and the replica follows it through a mirror; while no replica
// trains it, a stop ends it (in the store and for every viewer), and the
// other actions answer as they would for a queued run. The shared queue's
// room bounds the starts.
func TestClusterStartAndStopQueued(t *testing.T) {
	ctx := context.Background()
	f := &fakeCluster{}
	m, st := clusterManager(t, f, session.Options{MaxQueued: 3})
	started, err := m.Start("10.0.0.1", smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	s := started[0].Session
	if len(f.jobs) != 1 || f.jobs[0].Record.ID != s.ID() || s.State() != session.Queued {
		t.Fatalf("jobs %+v, state %s; want the run's job queued", f.jobs, s.State())
	}
	recs, err := st.QuerySessions(ctx, session.SessionQuery{IDs: []string{s.ID()}, Limit: 1})
	if err != nil || len(recs) != 1 || recs[0].State != session.Queued {
		t.Fatalf("the store keeps %+v, %v; want the run queued", recs, err)
	}
	if err := s.Pause(); session.ErrorCode(err) != session.EConflict {
		t.Fatalf("pause of a queued run: %v, want conflict", err)
	}
	if err := s.Resume(); err != nil {
		t.Fatalf("resume of a queued run: %v, want nothing to do", err)
	}
	if _, err := s.Step(ctx, 1); session.ErrorCode(err) != session.EConflict {
		t.Fatalf("step of a queued run: %v, want conflict", err)
	}
	sub := s.Subscribe()
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	msgs := readStream(t, sub, 10*time.Second)
	if last := msgs[len(msgs)-1]; last["type"] != "state" || last["state"] != "stopped" {
		t.Fatalf("the viewer's last message: %v; want the stopped state", last)
	}
	select {
	case <-s.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the stopped mirror is not done")
	}
	recs, _ = st.QuerySessions(ctx, session.SessionQuery{IDs: []string{s.ID()}, Limit: 1})
	if len(recs) != 1 || recs[0].State != session.Stopped {
		t.Fatalf("the store keeps %+v; want the run stopped (the replica that takes its job drops it)", recs)
	}

	// The shared queue's room: 3 places, 1 job queued, 2 taken elsewhere.
	f.mu.Lock()
	f.waiting = 2
	f.mu.Unlock()
	if _, err := m.Start("10.0.0.2", smallConfig()); session.ErrorCode(err) != session.EUnavailable {
		t.Fatalf("a start with the shared queue full: %v, want unavailable", err)
	}
	if len(f.jobs) != 1 {
		t.Fatalf("a refused start queued a job: %d jobs", len(f.jobs))
	}
}

// A mirror that misses its run's final message (live messages travel at
// most once) ends with the state the store keeps, once no replica answers
// for the run.
func TestClusterMirrorEndsUnheard(t *testing.T) {
	session.SetMirrorCheck(t, 50*time.Millisecond, 100*time.Millisecond)
	ctx := context.Background()
	f := &fakeCluster{}
	m, st := clusterManager(t, f, session.Options{})
	started, err := m.Start("10.0.0.1", smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	s := started[0].Session
	sub := s.Subscribe()
	// Another replica trained it and its last message was lost.
	rec := f.jobs[0].Record
	rec.State, rec.FinishedAt = session.Completed, time.Now()
	if err := st.Write(ctx, &session.Batch{Sessions: []session.SessionRecord{rec}}); err != nil {
		t.Fatal(err)
	}
	msgs := readStream(t, sub, 10*time.Second)
	if last := msgs[len(msgs)-1]; last["type"] != "state" || last["state"] != "completed" {
		t.Fatalf("the viewer's last message: %v; want completed, from the store", last)
	}
	if s.State() != session.Completed {
		t.Fatalf("the mirror says %s, want completed", s.State())
	}
	// The address's share is given back: it may start as many again.
	for range 3 {
		if _, err := m.Start("10.0.0.1", smallConfig()); err != nil {
			t.Fatalf("a start after the run ended: %v", err)
		}
	}
}

// readStream reads a subscription to its end and decodes every message.
func readStream(t *testing.T, sub *session.Subscription, timeout time.Duration) []map[string]any {
	t.Helper()
	defer sub.Close()
	var out []map[string]any
	deadline := time.After(timeout)
	for {
		select {
		case b, ok := <-sub.C:
			if !ok {
				if len(out) == 0 {
					t.Fatal("the stream ended without a message")
				}
				return out
			}
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			out = append(out, m)
		case <-deadline:
			t.Fatalf("the stream did not end within %s (%d messages)", timeout, len(out))
		}
	}
}
