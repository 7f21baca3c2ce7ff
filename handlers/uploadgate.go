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
// a parse is admitted by the session manager's door like any other work (a
// turn of the one CPU pool, its memory estimate against the budget).
const (
	uploadWaitMax = 20 * time.Second // a parse waits this long for a CPU turn, then 503
	// uploadMinRate is the slowest body transfer an upload is given time
	// for: its read deadline is 10 s plus its size at this rate (32 MiB:
	// about 4.5 minutes, 100 KiB: 11 s).
	uploadMinRate = 128 << 10 // bytes per second
)

// uploadGate admits uploads.
type uploadGate struct {
	lim RateLimit
	m   *session.Manager // its door admits the parses

	mu      sync.Mutex
	buckets map[string]*uploadBucket
	swept   time.Time
}

type uploadBucket struct{ lim *rate.Limiter }

func newUploadGate(m *session.Manager, lim RateLimit) *uploadGate {
	if lim == (RateLimit{}) {
		lim = DefaultUploadLimit()
	}
	return &uploadGate{lim: lim, m: m, buckets: make(map[string]*uploadBucket)}
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

// parse runs f, the parse of a file of size bytes, as work admitted by the
// door: its memory estimate and a CPU turn within uploadWaitMax (503 after
// that). The address's token was taken by allow.
func (g *uploadGate) parse(ctx context.Context, size int64, f func() error) error {
	return g.m.Do(ctx, session.Work{Kind: session.WorkUpload, Memory: uploadParseMemory(size), Wait: uploadWaitMax},
		func(context.Context) error { return f() })
}

// uploadParseMemory estimates the bytes parsing a CSV file of size bytes
// holds at peak: its values as float32 (at most one per two bytes of text)
// and the parser's buffers.
func uploadParseMemory(size int64) int64 { return 4*size + 16<<20 }

// uploadDeadline is how long the body of an upload of n bytes may take to
// arrive (n < 0: unknown, the largest allowed).
func uploadDeadline(n int64) time.Duration {
	if n < 0 || n > maxUploadBody {
		n = maxUploadBody
	}
	return 10*time.Second + time.Duration(n)*time.Second/uploadMinRate
}
