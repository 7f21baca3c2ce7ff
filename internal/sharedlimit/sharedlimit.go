// Package sharedlimit keeps the per-address start limit in NATS key-value,
// so that it holds across the replicas of one deployment: a token bucket
// per address key, read and written back with compare-and-set on the key's
// revision, so that replicas racing for one address's last start admit it
// once. Keys expire with the bucket's TTL once they would be full again.
// When NATS does not answer in time, a replica falls back to its own
// in-process buckets (the limit then holds per replica, as without -bus)
// and says so in its log.
package sharedlimit

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/aelab/aelab/session"
)

// Bucket is the key-value bucket of the start limit.
const Bucket = "aelab_start_limit"

// maxBucketBytes bounds the bucket (about 100 bytes a key: ≈ 600,000
// addresses at once); beyond it new keys are refused and the replicas
// count them in their own buckets.
const maxBucketBytes = 64 << 20

// opTimeout bounds one Allow or undo on the network; the door waits for it
// under its lock.
const opTimeout = 250 * time.Millisecond

// maxRaces bounds the compare-and-set attempts of one Allow: each lost race
// means another replica took a start of the same address meanwhile, so
// an Allow that loses them all is refused (retry in a second).
const maxRaces = 32

// Limiter is a session.Limiter whose buckets live in NATS key-value.
type Limiter struct {
	js       jetstream.JetStream
	cfg      jetstream.KeyValueConfig
	lim      session.RateLimit
	fallback session.Limiter
	log      *slog.Logger
	now      func() time.Time
	timeout  time.Duration // of one Allow or undo (opTimeout)

	mu       sync.Mutex
	kv       jetstream.KeyValue // made again if NATS lost it
	loggedAt time.Time          // last fallback logged (at most one a minute)
}

// New returns the shared start limiter of lim on js, creating or updating
// the key-value bucket; fallback (nil: in-process buckets of lim) serves
// when NATS does not answer. Every replica must be given the same lim.
func New(ctx context.Context, js jetstream.JetStream, lim session.RateLimit, fallback session.Limiter, log *slog.Logger) (*Limiter, error) {
	if lim.Burst < 1 || lim.PerMinute < 0 {
		return nil, fmt.Errorf("sharedlimit: a burst of at least 1 and a rate of at least 0 are needed, got %d and %g", lim.Burst, lim.PerMinute)
	}
	cfg := jetstream.KeyValueConfig{
		Bucket:      Bucket,
		Description: "aelab: per-address start limit (token buckets)",
		History:     1,
		TTL:         fullAfter(lim),
		MaxBytes:    maxBucketBytes,
		Storage:     jetstream.MemoryStorage,
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("sharedlimit: key-value bucket %s: %w", Bucket, err)
	}
	if fallback == nil {
		fallback = session.NewLocalLimiter(lim)
	}
	if log == nil {
		log = slog.Default()
	}
	return &Limiter{js: js, cfg: cfg, kv: kv, lim: lim, fallback: fallback, log: log, now: time.Now, timeout: opTimeout}, nil
}

// bucket is the key-value bucket; with remake, made again first (NATS
// lost it: restarted without its storage, or it was deleted).
func (l *Limiter) bucket(ctx context.Context, remake bool) (jetstream.KeyValue, error) {
	if remake {
		kv, err := l.js.CreateOrUpdateKeyValue(ctx, l.cfg)
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		l.kv = kv
		l.mu.Unlock()
		return kv, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.kv, nil
}

// fullAfter is how long an untouched bucket takes to fill up, and a minute
// more: after it, a key is worth nothing and expires.
func fullAfter(lim session.RateLimit) time.Duration {
	if lim.PerMinute <= 0 {
		return 24 * time.Hour
	}
	return time.Duration(float64(lim.Burst)/lim.PerMinute*float64(time.Minute)) + time.Minute
}

// state is one address's bucket: tokens left at a time.
type state struct {
	tokens float64
	at     time.Time
}

func (s state) encode() []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b, math.Float64bits(s.tokens))
	binary.BigEndian.PutUint64(b[8:], uint64(s.at.UnixNano()))
	return b
}

func decode(b []byte) (state, bool) {
	if len(b) != 16 {
		return state{}, false
	}
	t := math.Float64frombits(binary.BigEndian.Uint64(b))
	if math.IsNaN(t) || math.IsInf(t, 0) {
		return state{}, false
	}
	return state{tokens: t, at: time.Unix(0, int64(binary.BigEndian.Uint64(b[8:])))}, true
}

// refill is s at now: tokens added at the rate since s.at, at most the
// burst (a clock of another replica behind this one adds none).
func (l *Limiter) refill(s state, now time.Time) state {
	if d := now.Sub(s.at); d > 0 {
		s.tokens = math.Min(float64(l.lim.Burst), s.tokens+d.Minutes()*l.lim.PerMinute)
		s.at = now
	}
	return s
}

// kvKey is key as NATS accepts it (letters, digits, -_=/.): an IPv6 /64
// has colons, so every key is base64url-encoded.
func kvKey(key string) string {
	return "k." + base64.RawURLEncoding.EncodeToString([]byte(key))
}

// Allow takes one start for key from the shared bucket.
func (l *Limiter) Allow(key string) (bool, time.Duration, func()) {
	ctx, cancel := context.WithTimeout(context.Background(), l.timeout)
	defer cancel()
	ok, wait, err := l.take(ctx, kvKey(key))
	if err != nil {
		l.fellBack(err)
		return l.fallback.Allow(key)
	}
	if !ok {
		return false, wait, nil
	}
	return true, 0, func() { l.undo(key) }
}

// take is one Allow on the network: read the bucket, refill it, take a
// token and write it back if nobody wrote it meanwhile; else again.
func (l *Limiter) take(ctx context.Context, k string) (bool, time.Duration, error) {
	remade := false
	for range maxRaces {
		now := l.now()
		kv, err := l.bucket(ctx, false)
		if err != nil {
			return false, 0, err
		}
		e, err := kv.Get(ctx, k)
		if err != nil && !remade && lostBucket(err) {
			remade = true
			if _, err := l.bucket(ctx, true); err != nil {
				return false, 0, err
			}
			continue
		}
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			s := state{tokens: float64(l.lim.Burst) - 1, at: now}
			if _, err := kv.Create(ctx, k, s.encode()); errors.Is(err, jetstream.ErrKeyExists) {
				continue // another replica created it first
			} else if err != nil {
				return false, 0, err
			}
			return true, 0, nil
		case err != nil:
			return false, 0, err
		}
		s, valid := decode(e.Value())
		if !valid {
			s = state{tokens: float64(l.lim.Burst), at: now}
		}
		s = l.refill(s, now)
		if s.tokens < 1 {
			wait := time.Hour
			if l.lim.PerMinute > 0 {
				wait = time.Duration((1 - s.tokens) / l.lim.PerMinute * float64(time.Minute))
			}
			return false, wait, nil
		}
		s.tokens--
		if _, err := kv.Update(ctx, k, s.encode(), e.Revision()); errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			continue // another replica took one meanwhile: read again
		} else if err != nil {
			return false, 0, err
		}
		return true, 0, nil
	}
	// Other replicas keep taking this address's starts: refuse this one
	// rather than count it where they cannot see it.
	return false, time.Second, nil
}

// undo gives one start back to key's bucket (at most a full bucket).
func (l *Limiter) undo(key string) {
	ctx, cancel := context.WithTimeout(context.Background(), l.timeout)
	defer cancel()
	k := kvKey(key)
	kv, _ := l.bucket(ctx, false)
	for range maxRaces {
		e, err := kv.Get(ctx, k)
		if err != nil {
			return // expired (full again) or unreachable: nothing to give back to
		}
		s, valid := decode(e.Value())
		if !valid {
			return
		}
		s = l.refill(s, l.now())
		s.tokens = math.Min(float64(l.lim.Burst), s.tokens+1)
		if _, err := kv.Update(ctx, k, s.encode(), e.Revision()); !errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			return
		}
	}
}

// fellBack logs, at most once a minute, that NATS did not answer and the
// replica counts starts in its own buckets.
func (l *Limiter) fellBack(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now := l.now(); now.Sub(l.loggedAt) >= time.Minute {
		l.loggedAt = now
		l.log.Warn("start limit: NATS key-value did not answer; counting starts on this replica only meanwhile", "err", err)
	}
}

var _ session.Limiter = (*Limiter)(nil)
