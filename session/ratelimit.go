package session

import (
	"fmt"
	"math"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimit bounds how often one address may do one kind of user action: a
// token bucket per address holding Burst actions, refilled at PerMinute.
// A Burst below zero means no limit.
type RateLimit struct {
	Burst     int     `json:"burst"`
	PerMinute float64 `json:"per_minute"`
}

// Rate limits per address, by kind of action. A sweep or a lab start is one
// action however many trainings it starts, so a class of thirty behind one
// school router, each pressing Train or starting a lab a few times in a
// minute, stays inside DefaultStartLimit; a script hammering the server
// does not.
var (
	DefaultStartLimit = RateLimit{Burst: 90, PerMinute: 60}
	// An upload parses up to 32 MiB: a teacher preparing a lesson uploads
	// a few datasets, not a script filling the server.
	DefaultUploadLimit   = RateLimit{Burst: 6, PerMinute: 3}
	DefaultAnalysisLimit = RateLimit{Burst: 60, PerMinute: 60}
	// A class of thirty behind one school router joins at once easily;
	// guessing class codes (≈ 2.4·10^8 of them) does not get far.
	DefaultJoinLimit = RateLimit{Burst: 90, PerMinute: 60}
	// Views (decoding a point, a manifold grid) are small and come in
	// streams while a student drags a point; the CPU pool bounds their cost.
	DefaultViewLimit = RateLimit{Burst: 600, PerMinute: 6000}
)

// rateClass is the bucket a kind of work draws from.
type rateClass int

const (
	rateStart rateClass = iota
	rateUpload
	rateAnalysis
	rateView
	rateJoin
	rateClasses
)

func (k WorkKind) rateClass() (rateClass, bool) {
	switch k {
	case WorkTraining, WorkImport:
		return rateStart, true
	case WorkUpload:
		return rateUpload, true
	case WorkAnalysis, WorkPCAFit:
		return rateAnalysis, true
	case WorkView:
		return rateView, true
	case WorkJoin:
		return rateJoin, true
	}
	return 0, false // the server's own work (baselines) takes no token
}

// limiter holds one token bucket per address and class. The start class
// goes through start, a Limiter: these buckets by default, shared across
// replicas with -bus.
type limiter struct {
	lims  [rateClasses]RateLimit
	now   func() time.Time
	start Limiter

	mu      sync.Mutex
	buckets map[bucketKey]*bucket
	swept   time.Time
}

type bucketKey struct {
	addr  string
	class rateClass
}

type bucket struct {
	lim  *rate.Limiter
	last time.Time
}

func newLimiter(lims [rateClasses]RateLimit) *limiter {
	l := &limiter{lims: lims, now: time.Now, buckets: make(map[bucketKey]*bucket)}
	l.start = localLimiter{l: l, class: rateStart}
	return l
}

// addrKey groups addresses the way networks hand them out: an IPv4 address
// alone, an IPv6 address by its /64 (one home or one phone gets a whole
// /64, so counting single addresses would let it mint millions).
func addrKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		if ap, err2 := netip.ParseAddrPort(addr); err2 == nil {
			a, err = ap.Addr(), nil
		}
	}
	if err != nil {
		return addr
	}
	a = a.Unmap().WithZone("")
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// reservation is a taken token that can be given back if the rest of the
// admission fails.
type reservation struct {
	undo func() // nil: nothing to give back
}

// cancel gives the token back.
func (r reservation) cancel() {
	if r.undo != nil {
		r.undo()
	}
}

// take takes one token of class for addr, or returns the rate-limit error.
// An empty addr (the server's own work) takes none.
func (l *limiter) take(addr string, class rateClass, what string) (reservation, error) {
	lim := l.lims[class]
	if addr == "" || lim.Burst < 0 {
		return reservation{}, nil
	}
	key := addrKey(addr)
	var (
		ok   bool
		wait time.Duration
		undo func()
	)
	if class == rateStart {
		ok, wait, undo = l.start.Allow(key)
	} else {
		ok, wait, undo = l.takeLocal(key, class)
	}
	if ok {
		return reservation{undo: undo}, nil
	}
	secs := max(1, int(math.Ceil(wait.Seconds())))
	return reservation{}, &Error{Code: ERateLimited, Retry: time.Duration(secs) * time.Second, Message: fmt.Sprintf(
		"too many %s from your address (at most %d at once and %g a minute); try again in %d s", what, lim.Burst, lim.PerMinute, secs)}
}

// takeLocal takes one token of class for key from this process's buckets:
// ok with the function that gives it back, or how long until one is there.
func (l *limiter) takeLocal(key string, class rateClass) (bool, time.Duration, func()) {
	lim := l.lims[class]
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			// A bucket left alone long enough to be full again is forgotten.
			if full := l.fullAfter(k.class); now.Sub(b.last) > full {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	bk := bucketKey{key, class}
	b, ok := l.buckets[bk]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(rate.Limit(lim.PerMinute/60), max(lim.Burst, 0))}
		l.buckets[bk] = b
	}
	b.last = now
	r := b.lim.ReserveN(now, 1)
	if r.OK() {
		if d := r.DelayFrom(now); d == 0 {
			return true, 0, func() { r.CancelAt(now) }
		}
		r.CancelAt(now)
	}
	wait := time.Hour
	if lim.PerMinute > 0 {
		wait = time.Duration(float64(time.Minute) / lim.PerMinute)
		if tk := b.lim.TokensAt(now); tk < 1 && tk > -1e9 {
			wait = time.Duration((1 - tk) / (lim.PerMinute / 60) * float64(time.Second))
		}
	}
	return false, wait, nil
}

// fullAfter is how long an untouched bucket of class takes to fill up.
func (l *limiter) fullAfter(c rateClass) time.Duration {
	lim := l.lims[c]
	if lim.PerMinute <= 0 {
		return 24 * time.Hour
	}
	return time.Duration(float64(lim.Burst)/lim.PerMinute*float64(time.Minute)) + time.Minute
}
