package session

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeLimiter is a Limiter with a fixed number of starts per key, counting
// what it is asked and given back.
type fakeLimiter struct {
	mu     sync.Mutex
	left   map[string]int
	asked  []string
	undone int
}

func (f *fakeLimiter) Allow(key string) (bool, time.Duration, func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, key)
	if f.left[key] <= 0 {
		return false, 42 * time.Second, nil
	}
	f.left[key]--
	return true, 0, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.left[key]++
		f.undone++
	}
}

// TestStartLimiterOption: with Options.StartLimiter the door asks it (with
// the address's key: IPv6 by /64) for every start, a training or an import
// alike, refuses with its retry time and the configured limit in the
// message, and gives the start back when the queue is full after it.
func TestStartLimiterOption(t *testing.T) {
	f := &fakeLimiter{left: map[string]int{"192.0.2.7": 2, "2001:db8:1:2::/64": 1}}
	m := newTestManager(t, Options{StartLimit: RateLimit{Burst: 5, PerMinute: 3}, StartLimiter: f, MaxRunning: 1, MaxQueued: 1, MaxPerAddress: 20})
	a, err := m.Start("192.0.2.7", small())
	if err != nil {
		t.Fatal(err)
	}
	// One running, none queued: two more trainings do not fit the queue
	// of one; the start is refused and given back.
	if _, err := m.Start("192.0.2.7", small(), small(), small()); ErrorCode(err) != EUnavailable {
		t.Fatalf("three more with a queue of one: %v, want the queue full", err)
	}
	if f.undone != 1 || f.left["192.0.2.7"] != 1 {
		t.Fatalf("after a refused start: %d given back, %d left; want 1 and 1", f.undone, f.left["192.0.2.7"])
	}
	waitDone(t, a[0].Session)
	b, err := m.Start("192.0.2.7", small())
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, b[0].Session)
	_, err = m.Start("192.0.2.7", small())
	var e *Error
	if ErrorCode(err) != ERateLimited || !asError(err, &e) || e.Retry != 42*time.Second || !strings.Contains(e.Message, "at most 5 at once and 3 a minute") {
		t.Fatalf("start beyond the shared budget: %v, want rate limited, retry 42 s, naming the limit", err)
	}
	if _, err := m.Start("2001:db8:1:2::99", small()); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Start("2001:db8:1:2:ffff::1", small()); ErrorCode(err) != ERateLimited {
		t.Fatalf("second start of the same /64: %v, want rate limited", err)
	}
	// Joins, uploads and views keep this process's own buckets.
	for range 3 {
		if err := m.Allow("192.0.2.7", WorkJoin); err != nil {
			t.Fatalf("join: %v", err)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range f.asked {
		if k != "192.0.2.7" && k != "2001:db8:1:2::/64" {
			t.Fatalf("limiter asked for key %q, want address keys only", k)
		}
	}
	if len(f.asked) != 6 {
		t.Fatalf("limiter asked %d times (%q), want 6 (one per start)", len(f.asked), f.asked)
	}
}

// TestNewLocalLimiter: the default Limiter keeps a burst per key and
// gives an undone start back.
func TestNewLocalLimiter(t *testing.T) {
	l := NewLocalLimiter(RateLimit{Burst: 2, PerMinute: 1})
	ok1, _, _ := l.Allow("a")
	ok2, _, undo := l.Allow("a")
	if !ok1 || !ok2 {
		t.Fatalf("burst of 2: %v %v", ok1, ok2)
	}
	undo()
	if ok, _, _ := l.Allow("a"); !ok {
		t.Fatal("an undone start did not come back")
	}
	ok, wait, _ := l.Allow("a")
	if ok || wait < 50*time.Second || wait > time.Minute {
		t.Fatalf("beyond the burst: %v (wait %s), want refused for about a minute", ok, wait)
	}
	if ok, _, _ := l.Allow("b"); !ok {
		t.Fatal("another key shares the first one's bucket")
	}
}
