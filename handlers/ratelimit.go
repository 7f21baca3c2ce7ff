package handlers

import (
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/aelab/aelab/session"
)

// codeRateLimited is the error code of a request refused by a rate limit.
const codeRateLimited = session.ERateLimited

// RateLimit bounds how often one address may do something the door in
// session.Manager does not admit (joining a class, a class's run form): a
// token bucket per client address holding Burst actions, refilled at
// PerMinute. Trainings, sweeps, labs, imports and views take their tokens
// in the door (session.RateLimit).
type RateLimit struct {
	Burst     int
	PerMinute float64
}

// DefaultRateLimit allows a burst of 60 starts from one address and 60 more
// every minute.
func DefaultRateLimit() RateLimit { return RateLimit{Burst: 60, PerMinute: 60} }

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

// checkStartLimit takes a start from the address of r, or returns the
// rate-limit error (whose Retry-After setRetryAfter writes).
func checkStartLimit(l *limiter, r *http.Request) error {
	ok, wait := l.allow(clientKey(r))
	if ok {
		return nil
	}
	secs := int(math.Ceil(wait.Seconds()))
	return &session.Error{Code: codeRateLimited, Retry: time.Duration(max(secs, 1)) * time.Second, Message: fmt.Sprintf(
		"too many requests from your address (at most %d at once and %g a minute); try again in %d s",
		l.lim.Burst, l.lim.PerMinute, max(secs, 1))}
}

// limitStarts refuses requests beyond the rate limit with 429 (JSON on the
// API, a page in the browser).
func limitStarts(l *limiter, log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := checkStartLimit(l, r)
		if err == nil {
			next.ServeHTTP(w, r)
			return
		}
		setRetryAfter(w, err)
		if isAPI(r) {
			writeError(w, r, log, err)
		} else {
			renderError(w, r, log, err)
		}
	})
}
