package sharedlimit

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLiveCountsEachRunOnce: two replicas (two connections) share each
// address's live runs: a run taken or renewed by both counts once, the
// share is refused beyond max on either, a released run frees its place,
// other addresses are apart, and a run nobody renews is forgotten when its
// lease runs out.
func TestLiveCountsEachRunOnce(t *testing.T) {
	ns := startNATS(t)
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	var ls []*Live
	for range 2 {
		l, err := NewLive(context.Background(), connect(t, ns), nil)
		if err != nil {
			t.Fatal(err)
		}
		l.now, l.timeout = now, 20*time.Second
		ls = append(ls, l)
	}
	a, b := ls[0], ls[1]
	if have, ok := a.Take("10.0.0.1", []string{"r1"}, 2); !ok || have != 0 {
		t.Fatalf("first run: %d, %v", have, ok)
	}
	b.Renew("10.0.0.1", []string{"r1"}) // the training replica holds it too
	if have, ok := b.Take("10.0.0.1", []string{"r2"}, 2); !ok || have != 1 {
		t.Fatalf("second run on the other replica: %d, %v; want 1 held before, admitted", have, ok)
	}
	for _, l := range ls {
		if have, ok := l.Take("10.0.0.1", []string{"r3"}, 2); ok || have != 2 {
			t.Errorf("third run: %d, %v; want refused with 2 held", have, ok)
		}
	}
	if _, ok := a.Take("10.0.0.2", []string{"x1", "x2"}, 2); !ok {
		t.Error("another address was refused")
	}
	b.Release("10.0.0.1", "r1")
	a.Release("10.0.0.1", "r1") // both holders release: still once
	if have, ok := a.Take("10.0.0.1", []string{"r3"}, 2); !ok || have != 1 {
		t.Errorf("after a release: %d, %v; want 1 held, admitted", have, ok)
	}
	// r2 and r3 are renewed, x1 and x2 are not: past the lease, only
	// the renewed count.
	clock.Add(int64(LiveLease / 2))
	a.Renew("10.0.0.1", []string{"r2", "r3"})
	clock.Add(int64(LiveLease/2 + time.Second))
	if have, ok := a.Take("10.0.0.1", []string{"r4"}, 2); ok || have != 2 {
		t.Errorf("renewed runs: %d held, admitted %v; want 2, refused", have, ok)
	}
	if have, ok := b.Take("10.0.0.2", []string{"x3"}, 1); !ok || have != 0 {
		t.Errorf("runs nobody renewed: %d held, admitted %v; want 0, admitted", have, ok)
	}
}

// TestLiveNeverOverAdmits: 64 starts of one address at once on four
// replicas admit exactly the share.
func TestLiveNeverOverAdmits(t *testing.T) {
	ns := startNATS(t)
	var ls []*Live
	for range 4 {
		l, err := NewLive(context.Background(), connect(t, ns), nil)
		if err != nil {
			t.Fatal(err)
		}
		l.timeout = 20 * time.Second
		ls = append(ls, l)
	}
	var admitted atomic.Int32
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, ok := ls[i%4].Take("10.0.0.9", []string{fmt.Sprint("r", i)}, 5); ok {
				admitted.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := admitted.Load(); n != 5 {
		t.Errorf("%d admitted, want 5", n)
	}
}

// TestLiveBucketLost: when NATS loses the bucket (restarted without its
// storage, or deleted), the count makes it again and the holders'
// renewals rebuild it.
func TestLiveBucketLost(t *testing.T) {
	ns := startNATS(t)
	js := connect(t, ns)
	l, err := NewLive(context.Background(), js, nil)
	if err != nil {
		t.Fatal(err)
	}
	l.timeout = 20 * time.Second
	if _, ok := l.Take("10.0.0.1", []string{"r1"}, 1); !ok {
		t.Fatal("refused")
	}
	if err := js.DeleteKeyValue(context.Background(), LiveBucket); err != nil {
		t.Fatal(err)
	}
	l.Renew("10.0.0.1", []string{"r1"})
	if have, ok := l.Take("10.0.0.1", []string{"r2"}, 1); ok || have != 1 {
		t.Errorf("after the bucket was lost and r1 renewed: %d held, admitted %v; want 1, refused", have, ok)
	}
	if _, err := js.KeyValue(context.Background(), LiveBucket); err != nil {
		t.Errorf("the bucket was not made again: %v", err)
	}
	l.mu.Lock()
	fellBack := len(l.local)
	l.mu.Unlock()
	if fellBack != 0 {
		t.Errorf("%d addresses counted on this replica only; want none (NATS answered)", fellBack)
	}
}
