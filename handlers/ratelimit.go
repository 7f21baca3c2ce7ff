package handlers

import (
	"math"
	"sync"
	"time"

	"github.com/aelab/aelab/session"
)

// codeRateLimited is the error code of a request refused by a rate limit.
const codeRateLimited = session.ERateLimited

// RateLimit bounds how often one address may do something that is not work
// the door in session.Manager admits (joining a class, sending an upload's
// body): a token bucket per client address holding Burst actions, refilled
// at PerMinute. Trainings, sweeps, labs, class runs, imports, views and
// analyses take their tokens in the door (session.RateLimit).
type RateLimit struct {
	Burst     int
	PerMinute float64
}

// limiter implements RateLimit for many addresses.
type limiter struct {
	lim     RateLimit
	now     func() time.Time
	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(lim RateLimit) *limiter {
	return &limiter{lim: lim, now: time.Now, buckets: make(map[string]*bucket)}
}

// allow takes a token for key, or says how long until one is available.
func (l *limiter) allow(key string) (bool, time.Duration) { return l.allowN(key, 1) }

// allowN takes n tokens for key at once (a sweep starts n trainings), or
// none and says how long until n are available. More than Burst never are.
func (l *limiter) allowN(key string, n int) (bool, time.Duration) {
	if l.lim.Burst <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	rate := l.lim.PerMinute / 60 // tokens per second
	if now.Sub(l.swept) > time.Minute {
		// Forget full buckets so that the map stays small.
		for k, b := range l.buckets {
			if b.tokens+now.Sub(b.last).Seconds()*rate >= float64(l.lim.Burst) {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: float64(l.lim.Burst), last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(float64(l.lim.Burst), b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	if b.tokens >= float64(n) {
		b.tokens -= float64(n)
		return true, 0
	}
	if rate <= 0 || n > l.lim.Burst {
		return false, time.Hour
	}
	return false, time.Duration((float64(n) - b.tokens) / rate * float64(time.Second))
}
