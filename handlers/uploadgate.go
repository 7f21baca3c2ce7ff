package handlers

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/aelab/aelab/session"
)

// DefaultUploadLimit lets one address (IPv6: one /64) upload 6 datasets at
// once and 3 a minute after that: a teacher preparing a lesson, not a
// script filling the server.
func DefaultUploadLimit() RateLimit { return RateLimit{Burst: 6, PerMinute: 3} }

// Uploads are bounded per address (a token bucket per client) and in all:
// at most uploadSlots files parsed at once on the whole server (a parse
// takes a core and up to a few hundred MB for the largest file).
const (
	uploadSlots   = 2
	uploadWaitMax = 20 * time.Second // a parse waits this long for a slot, then 503
	// uploadMinRate is the slowest body transfer an upload is given time
	// for: its read deadline is 10 s plus its size at this rate (32 MiB:
	// about 4.5 minutes, 100 KiB: 11 s).
	uploadMinRate = 128 << 10 // bytes per second
)

// uploadGate admits uploads.
type uploadGate struct {
	lim   RateLimit
	slots chan struct{}

	mu      sync.Mutex
	buckets map[string]*uploadBucket
	swept   time.Time
}

type uploadBucket struct{ lim *rate.Limiter }

func newUploadGate(lim RateLimit) *uploadGate {
	if lim == (RateLimit{}) {
		lim = DefaultUploadLimit()
	}
	return &uploadGate{lim: lim, slots: make(chan struct{}, uploadSlots), buckets: make(map[string]*uploadBucket)}
}

// allow takes an upload token for r's address, or returns the 429 error.
func (g *uploadGate) allow(r *http.Request) error {
	if g.lim.Burst < 0 {
		return nil
	}
	key := clientKey(r)
	now := time.Now()
	every := rate.Limit(g.lim.PerMinute / 60)
	g.mu.Lock()
	if now.Sub(g.swept) > time.Minute { // forget buckets that have refilled
		for k, b := range g.buckets {
			if b.lim.TokensAt(now) >= float64(g.lim.Burst) {
				delete(g.buckets, k)
			}
		}
		g.swept = now
	}
	b := g.buckets[key]
	if b == nil {
		b = &uploadBucket{lim: rate.NewLimiter(every, g.lim.Burst)}
		g.buckets[key] = b
	}
	res := b.lim.ReserveN(now, 1)
	wait := res.DelayFrom(now)
	if !res.OK() || wait > 0 {
		res.CancelAt(now)
	}
	g.mu.Unlock()
	if res.OK() && wait <= 0 {
		return nil
	}
	if !res.OK() || wait > time.Hour {
		wait = time.Hour
	}
	secs := int(math.Ceil(wait.Seconds()))
	return &session.Error{Code: codeRateLimited, Retry: time.Duration(max(secs, 1)) * time.Second, Message: fmt.Sprintf(
		"too many uploads from your address (at most %d at once and %g a minute); try again in %d s",
		g.lim.Burst, g.lim.PerMinute, secs)}
}

// parse runs f in one of the parse slots, waiting for one up to
// uploadWaitMax (503 after that).
func (g *uploadGate) parse(ctx context.Context, f func() error) error {
	wait, cancel := context.WithTimeout(ctx, uploadWaitMax)
	defer cancel()
	select {
	case g.slots <- struct{}{}:
	case <-wait.Done():
		return session.Errorf(session.EUnavailable, "the server is busy reading other uploads; try again in a minute")
	}
	defer func() { <-g.slots }()
	return f()
}

// uploadDeadline is how long the body of an upload of n bytes may take to
// arrive (n < 0: unknown, the largest allowed).
func uploadDeadline(n int64) time.Duration {
	if n < 0 || n > maxUploadBody {
		n = maxUploadBody
	}
	return 10*time.Second + time.Duration(n)*time.Second/uploadMinRate
}
