package session

import "time"

// Limiter is the per-address start limit: a token bucket per key (an
// address; IPv6 by its /64), holding StartLimit.Burst starts and refilled
// at StartLimit.PerMinute. The default keeps the buckets in this process
// (golang.org/x/time/rate); with several replicas (-bus) they are kept in
// NATS key-value (internal/sharedlimit), so that an address gets one budget
// whichever replica it reaches. The door calls Allow under its lock, so an
// implementation answers promptly (a bounded wait on the network).
type Limiter interface {
	// Allow takes one start for key. ok false: none is left, and
	// retryAfter says when one is. undo gives the start back (the start
	// was refused for another reason after it); it is nil when !ok.
	Allow(key string) (ok bool, retryAfter time.Duration, undo func())
}

// NewLocalLimiter returns the in-process Limiter of lim, the default: its
// buckets are this process's, forgotten when full again.
func NewLocalLimiter(lim RateLimit) Limiter {
	l := newLimiter([rateClasses]RateLimit{rateStart: lim})
	return l.start
}

// localLimiter is a Limiter over one class of a limiter's own buckets.
type localLimiter struct {
	l     *limiter
	class rateClass
}

// Allow takes one token of the class for key.
func (ll localLimiter) Allow(key string) (bool, time.Duration, func()) {
	return ll.l.takeLocal(key, ll.class)
}
