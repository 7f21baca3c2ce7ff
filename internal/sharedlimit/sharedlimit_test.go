package sharedlimit

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/aelab/aelab/internal/natstest"
	"github.com/aelab/aelab/session"
)

// startNATS runs an in-process NATS server with JetStream in a temporary
// directory.
func startNATS(t *testing.T) *server.Server {
	t.Helper()
	return natstest.Start(t)
}

// connect opens a connection of its own (a replica's) and its JetStream.
func connect(t *testing.T, ns *server.Server) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(ns.ClientURL(), nats.MaxReconnects(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// countingFallback refuses everything and counts how often it was asked.
type countingFallback struct{ asked atomic.Int32 }

func (f *countingFallback) Allow(string) (bool, time.Duration, func()) {
	f.asked.Add(1)
	return false, time.Minute, nil
}

func newShared(t *testing.T, js jetstream.JetStream, lim session.RateLimit, fb session.Limiter) *Limiter {
	t.Helper()
	l, err := New(context.Background(), js, lim, fb, nil)
	if err != nil {
		t.Fatal(err)
	}
	l.timeout = 20 * time.Second // a loaded test machine must not fall back
	return l
}

// TestTwoReplicasShareOneBudget: two limiters on two connections (two
// replicas) give one address one burst between them, refill it at the
// rate, keep other addresses apart, and take an undone start back.
func TestTwoReplicasShareOneBudget(t *testing.T) {
	ns := startNATS(t)
	lim := session.RateLimit{Burst: 5, PerMinute: 6}
	fb := &countingFallback{}
	a, b := newShared(t, connect(t, ns), lim, fb), newShared(t, connect(t, ns), lim, fb)
	now := time.Unix(1_000_000, 0)
	clock := func() time.Time { return now }
	a.now, b.now = clock, clock
	granted := 0
	var undo func()
	for i := range 10 {
		l := a
		if i%2 == 1 {
			l = b
		}
		ok, wait, u := l.Allow("192.0.2.1")
		if ok {
			granted++
			undo = u
		} else if wait < 9*time.Second || wait > 10*time.Second {
			t.Fatalf("refused with retry after %s, want 10 s (6 a minute)", wait)
		}
	}
	if granted != 5 {
		t.Fatalf("two replicas granted %d starts to one address, want the one burst of 5", granted)
	}
	if ok, _, _ := a.Allow("2001:db8::/64"); !ok {
		t.Fatal("another address was refused: it has a bucket of its own")
	}
	undo()
	if ok, _, _ := b.Allow("192.0.2.1"); !ok {
		t.Fatal("a start undone on replica a did not come back on replica b")
	}
	if ok, _, _ := a.Allow("192.0.2.1"); ok {
		t.Fatal("one more than given back was granted")
	}
	now = now.Add(20 * time.Second) // two starts at 6 a minute
	if ok1, _, _ := b.Allow("192.0.2.1"); !ok1 {
		t.Fatal("after 20 s the refilled start was refused")
	}
	if ok2, _, _ := a.Allow("192.0.2.1"); !ok2 {
		t.Fatal("after 20 s the second refilled start was refused")
	}
	if ok3, _, _ := b.Allow("192.0.2.1"); ok3 {
		t.Fatal("after 20 s a third start was granted at 6 a minute")
	}
	if n := fb.asked.Load(); n != 0 {
		t.Fatalf("the fallback was asked %d times with NATS up", n)
	}
	st, err := a.kv.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := fullAfter(lim); st.TTL() != want {
		t.Fatalf("bucket TTL %s, want %s (a key expires once full again)", st.TTL(), want)
	}
}

// TestConcurrentRacesDoNotOverAdmit: four replicas, sixteen goroutines
// each, race for one address's burst of 20 with no refill: exactly 20
// starts are granted, all through the shared bucket.
func TestConcurrentRacesDoNotOverAdmit(t *testing.T) {
	ns := startNATS(t)
	lim := session.RateLimit{Burst: 20, PerMinute: 0}
	fb := &countingFallback{}
	var ls []*Limiter
	for range 4 {
		ls = append(ls, newShared(t, connect(t, ns), lim, fb))
	}
	var granted atomic.Int32
	var wg sync.WaitGroup
	for _, l := range ls {
		for range 16 {
			wg.Go(func() {
				for range 4 {
					if ok, _, _ := l.Allow("198.51.100.9"); ok {
						granted.Add(1)
					}
				}
			})
		}
	}
	wg.Wait()
	if g := granted.Load(); g > 20 {
		t.Fatalf("%d starts granted against a shared burst of 20: the compare-and-set let races through", g)
	}
	// Lost races are refused, never counted elsewhere: the last tokens are
	// still there for sequential callers if some racers gave up.
	for granted.Load() < 20 {
		ok, _, _ := ls[0].Allow("198.51.100.9")
		if !ok {
			t.Fatalf("granted %d, then refused: the bucket lost tokens", granted.Load())
		}
		granted.Add(1)
	}
	if ok, _, _ := ls[1].Allow("198.51.100.9"); ok {
		t.Fatal("a 21st start was granted")
	}
	if n := fb.asked.Load(); n != 0 {
		t.Fatalf("the fallback was asked %d times with NATS up", n)
	}
}

// TestFallbackWhenNATSIsGone: with NATS down, Allow answers from the
// fallback within its timeout instead of waiting, and says so once in the
// log.
func TestFallbackWhenNATSIsGone(t *testing.T) {
	ns := startNATS(t)
	fb := &countingFallback{}
	l := newShared(t, connect(t, ns), session.RateLimit{Burst: 3, PerMinute: 60}, fb)
	l.timeout = 300 * time.Millisecond
	if ok, _, _ := l.Allow("192.0.2.3"); !ok {
		t.Fatal("first start refused")
	}
	ns.Shutdown()
	start := time.Now()
	if ok, wait, _ := l.Allow("192.0.2.3"); ok || wait != time.Minute || fb.asked.Load() != 1 {
		t.Fatalf("with NATS gone: ok %v, wait %s, fallback asked %d; want the fallback's answer", ok, wait, fb.asked.Load())
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Allow took %s with NATS gone, want about its timeout", d)
	}
}

// TestNewRefusesNoLimit: a burst below 1 (no limit) is not a shared
// limiter's job.
func TestNewRefusesNoLimit(t *testing.T) {
	ns := startNATS(t)
	if _, err := New(context.Background(), connect(t, ns), session.RateLimit{Burst: -1, PerMinute: 60}, nil, nil); err == nil {
		t.Fatal("New with a burst of -1 = nil error")
	}
}

// TestStartLimitBucketLost: when NATS loses the bucket (restarted without
// its storage, or deleted), the limiter makes it again and keeps counting
// in NATS, instead of falling back to its own buckets for good.
func TestStartLimitBucketLost(t *testing.T) {
	ns := startNATS(t)
	js := connect(t, ns)
	fb := &countingFallback{}
	l := newShared(t, js, session.RateLimit{Burst: 2, PerMinute: 1}, fb)
	if ok, _, _ := l.Allow("10.0.0.1"); !ok {
		t.Fatal("the first start was refused")
	}
	if err := js.DeleteKeyValue(context.Background(), Bucket); err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, true, false} { // a fresh bucket: a full burst
		if ok, _, _ := l.Allow("10.0.0.1"); ok != want {
			t.Errorf("start %d after the bucket was lost: %v, want %v", i+1, ok, want)
		}
	}
	if n := fb.asked.Load(); n != 0 {
		t.Errorf("the fallback was asked %d times; want none (NATS answered)", n)
	}
	if _, err := js.KeyValue(context.Background(), Bucket); err != nil {
		t.Errorf("the bucket was not made again: %v", err)
	}
}
