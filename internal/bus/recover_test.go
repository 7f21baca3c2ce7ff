package bus

import (
	"context"
	"testing"

	"github.com/aelab/aelab/session"
)

// The job stream deleted under two replicas: the first to look makes it
// again (the other finds it there), both name it alike, the jobs they both
// put back are on it once, and an intact stream is left alone; a replica
// that made the stream when it connected reports it once.
func TestRecoverLostStream(t *testing.T) {
	ctx := context.Background()
	url := startServer(t)
	a, b := connect(t, url, "a", Options{}), connect(t, url, "b", Options{})
	// a made the stream when it connected (it may replace one NATS lost
	// while no replica ran): its first look reports it; b found it there.
	if lost, _, err := a.Recover(ctx); !lost || err != nil {
		t.Fatalf("the stream a made when it connected: lost %v, %v; want it reported once", lost, err)
	}
	for _, r := range []*Bus{a, b} {
		if lost, _, err := r.Recover(ctx); lost || err != nil {
			t.Fatalf("%s, an intact stream: lost %v, %v", r.Replica(), lost, err)
		}
	}
	if err := a.Put(ctx, session.Job{Record: session.SessionRecord{ID: "gone"}}); err != nil {
		t.Fatal(err)
	}
	if err := a.JetStream().DeleteStream(ctx, JobStream); err != nil {
		t.Fatal(err)
	}
	lostA, epochA, err := a.Recover(ctx)
	if err != nil || !lostA {
		t.Fatalf("a: lost %v, %v; want the loss seen", lostA, err)
	}
	lostB, epochB, err := b.Recover(ctx)
	if err != nil || lostB || !epochB.Equal(epochA) {
		t.Fatalf("b: lost %v, epoch %v (a's %v), %v; want the stream a made", lostB, epochB, epochA, err)
	}
	for _, r := range []*Bus{a, b, a} {
		for _, id := range []string{"r1", "r2"} {
			if err := r.Requeue(ctx, session.Job{Record: session.SessionRecord{ID: id}}, epochA); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n, err := b.Waiting(ctx); err != nil || n != 2 {
		t.Fatalf("%d jobs waiting (%v); want the two put back, once each", n, err)
	}
	// The consumer alone deleted: made again too, on the same stream.
	if err := a.JetStream().DeleteConsumer(ctx, JobStream, JobConsumer); err != nil {
		t.Fatal(err)
	}
	if lost, epoch, err := b.Recover(ctx); !lost || err != nil || !epoch.Equal(epochA) {
		t.Fatalf("consumer deleted: lost %v, epoch %v, %v", lost, epoch, err)
	}
	if d := next(t, b, 5e9); d == nil || (d.Job().Record.ID != "r1" && d.Job().Record.ID != "r2") {
		t.Fatalf("no job from the consumer made again: %v", d)
	}
}
