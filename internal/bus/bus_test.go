package bus

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aelab/aelab/internal/natstest"
	"github.com/aelab/aelab/session"
)

// startServer runs a NATS server with JetStream for the test; it returns its URL.
func startServer(t *testing.T) string { return natstest.Start(t).ClientURL() }

func connect(t *testing.T, url, name string, opt Options) *Bus {
	t.Helper()
	opt.Replica = name
	b, err := Connect(context.Background(), url, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

func next(t *testing.T, b *Bus, within time.Duration) session.Delivery {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		d, err := b.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if d != nil {
			return d
		}
	}
	return nil
}

// A job goes to one replica; one that stops renewing it loses it to
// another after the acknowledgement wait, one that hands it back loses it
// at once, and an acknowledged job is gone. The queue refuses jobs beyond
// its bound.
func TestQueue(t *testing.T) {
	ctx := context.Background()
	url := startServer(t)
	opt := Options{AckWait: time.Second, MaxJobs: 2}
	a, b := connect(t, url, "a", opt), connect(t, url, "b", opt)
	job := func(id string) session.Job { return session.Job{Record: session.SessionRecord{ID: id}} }
	if err := a.Put(ctx, job("one")); err != nil {
		t.Fatal(err)
	}
	if n, err := b.Waiting(ctx); err != nil || n != 1 {
		t.Fatalf("waiting: %d, %v; want 1", n, err)
	}
	if err := a.Put(ctx, job("two")); err != nil {
		t.Fatal(err)
	}
	if err := a.Put(ctx, job("three")); !errors.Is(err, session.ErrQueueFull) {
		t.Fatalf("a third job in a queue of two: %v, want ErrQueueFull", err)
	}

	d := next(t, a, 5*time.Second)
	if d == nil || d.Job().Record.ID != "one" || d.Attempt() != 1 {
		t.Fatalf("first delivery: %+v", d)
	}
	// a renews it for 2 s: b gets only the other job meanwhile.
	d2 := next(t, b, 5*time.Second)
	if d2 == nil || d2.Job().Record.ID != "two" {
		t.Fatalf("b's delivery: %+v", d2)
	}
	if err := d2.Ack(); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		time.Sleep(500 * time.Millisecond)
		if err := d.InProgress(); err != nil {
			t.Fatal(err)
		}
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if got, _ := b.Next(short); got != nil {
		t.Fatalf("b got %q while a renewed it", got.Job().Record.ID)
	}
	// a stops renewing (as if killed): b gets it within the wait.
	start := time.Now()
	d3 := next(t, b, 5*time.Second)
	if d3 == nil || d3.Job().Record.ID != "one" || d3.Attempt() != 2 {
		t.Fatalf("redelivery: %+v", d3)
	}
	t.Logf("redelivered %.1f s after the last renewal", time.Since(start).Seconds())
	// b hands it back: a gets it at once.
	if err := d3.Nak(); err != nil {
		t.Fatal(err)
	}
	d4 := next(t, a, 500*time.Millisecond)
	if d4 == nil || d4.Job().Record.ID != "one" || d4.Attempt() != 3 {
		t.Fatalf("after a Nak: %+v", d4)
	}
	if err := d4.Ack(); err != nil {
		t.Fatal(err)
	}
	lag, err := a.Lag(ctx)
	if err != nil || lag != (Lag{}) {
		t.Fatalf("lag after every job was acknowledged: %+v, %v", lag, err)
	}
	if err := a.Put(ctx, job("four")); err != nil {
		t.Fatalf("a job after the queue emptied: %v", err)
	}
}

// A run's messages reach every watcher in order; a request reaches the
// replica serving the run, and ErrNoTrainer says none does.
func TestEventsAndRelay(t *testing.T) {
	ctx := context.Background()
	url := startServer(t)
	a, b := connect(t, url, "a", Options{}), connect(t, url, "b", Options{})
	got := make(chan session.RunMessage, 10)
	stop, err := b.Watch("run1", func(m session.RunMessage) { got <- m })
	if err != nil {
		t.Fatal(err)
	}
	_ = b.nc.Flush()
	a.Publish("run1", session.RunMessage{Incarnation: "i1", Seq: 1, Data: []byte(`{"type":"progress"}`)})
	a.Publish("run1", session.RunMessage{Incarnation: "i1", Seq: 2, Handover: true, Data: []byte(`{"type":"state"}`)})
	a.Publish("run2", session.RunMessage{Incarnation: "i1", Seq: 1, Data: []byte(`{}`)})
	for want := uint64(1); want <= 2; want++ {
		select {
		case m := <-got:
			if m.Seq != want || m.Incarnation != "i1" || m.Handover != (want == 2) {
				t.Fatalf("message %d: %+v", want, m)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("message %d did not arrive", want)
		}
	}
	stop()

	if _, err := b.Ask(ctx, "run1", session.RunRequest{Action: "pause"}); !errors.Is(err, session.ErrNoTrainer) {
		t.Fatalf("ask with nobody serving: %v, want ErrNoTrainer", err)
	}
	stopServe, err := a.Serve("run1", func(_ context.Context, r session.RunRequest) session.RunReply {
		if r.Action == "pause" {
			return session.RunReply{Error: &session.WireError{Code: session.EConflict, Message: "not running"}}
		}
		return session.RunReply{Incarnation: "i1", Seq: 7}
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = a.nc.Flush()
	rep, err := b.Ask(ctx, "run1", session.RunRequest{Action: "snapshot"})
	if err != nil || rep.Seq != 7 || rep.Incarnation != "i1" {
		t.Fatalf("snapshot: %+v, %v", rep, err)
	}
	rep, err = b.Ask(ctx, "run1", session.RunRequest{Action: "pause"})
	if err != nil || rep.Error == nil || rep.Error.Code != session.EConflict {
		t.Fatalf("pause: %+v, %v", rep, err)
	}
	stopServe()
	_ = a.nc.Flush()
	if _, err := b.Ask(ctx, "run1", session.RunRequest{Action: "pause"}); !errors.Is(err, session.ErrNoTrainer) {
		t.Fatalf("ask once served no more: %v, want ErrNoTrainer", err)
	}
}
