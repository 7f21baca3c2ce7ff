package sharedlimit

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/aelab/aelab/session"
)

// The live count: the trainings each address has queued, running or paused
// across the replicas (session.LiveCount), so that -max-per-address holds
// for the cluster, not per replica. One key per address holds the IDs of
// its live runs, each with a lease; every replica that holds a run (the
// one whose door admitted it, through its mirror, and the one training it)
// renews the lease, and the run counts once however many hold it. The
// run's end releases it; a run whose holders all died without releasing it
// is forgotten when its lease runs out. A key is read and written back
// with compare-and-set on its revision, so replicas admitting starts of
// one address at once never admit more than the share.

// LiveBucket is the key-value bucket of the live count.
const LiveBucket = "aelab_live"

// LiveLease is how long a run counts without being renewed; holders renew
// every session.LiveRenewEvery (a few times within it).
const LiveLease = 90 * time.Second

// maxLiveIDs bounds the runs one key keeps (renewals re-add runs, so a
// count rebuilt after NATS lost the bucket may pass the share a moment).
const maxLiveIDs = 1024

// Live is a session.LiveCount kept in NATS key-value.
type Live struct {
	js      jetstream.JetStream
	log     *slog.Logger
	now     func() time.Time
	timeout time.Duration

	mu       sync.Mutex
	kv       jetstream.KeyValue
	local    map[string]map[string]time.Time // the fallback: owner → run → lease end
	loggedAt time.Time
}

// NewLive returns the live count on js, creating or updating its bucket.
func NewLive(ctx context.Context, js jetstream.JetStream, log *slog.Logger) (*Live, error) {
	if log == nil {
		log = slog.Default()
	}
	l := &Live{js: js, log: log, now: time.Now, timeout: opTimeout, local: map[string]map[string]time.Time{}}
	if _, err := l.bucket(ctx, true); err != nil {
		return nil, err
	}
	return l, nil
}

// SetTimeout sets how long one operation on NATS may take before the
// replica counts on its own meanwhile (opTimeout, 250 ms, by default). Call
// it before the count is used. Tests on a loaded machine give NATS longer,
// so a slow answer is not taken for a lost one.
func (l *Live) SetTimeout(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.timeout = d
}

// bucket returns the bucket, made again (fresh) when NATS lost it.
func (l *Live) bucket(ctx context.Context, fresh bool) (jetstream.KeyValue, error) {
	l.mu.Lock()
	kv := l.kv
	l.mu.Unlock()
	if kv != nil && !fresh {
		return kv, nil
	}
	kv, err := l.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      LiveBucket,
		Description: "aelab: each address's live trainings (run ID → lease end)",
		History:     1,
		TTL:         LiveLease,
		MaxBytes:    maxBucketBytes,
		Storage:     jetstream.MemoryStorage,
	})
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.kv = kv
	l.mu.Unlock()
	return kv, nil
}

// leases is one key's value: run ID → end of its lease (Unix ms).
type leases map[string]int64

// update reads owner's key, lets f change its leases (expired ones gone)
// and writes it back if nobody wrote it meanwhile, else again; f returns
// false to write nothing. A bucket NATS lost is made again once.
func (l *Live) update(owner string, f func(leases) bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), l.timeout)
	defer cancel()
	k := kvKey(owner)
	remade := false
	for range maxRaces {
		kv, err := l.bucket(ctx, false)
		if err != nil {
			return err
		}
		e, err := kv.Get(ctx, k)
		if err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			if !remade && lostBucket(err) {
				remade = true
				if _, err := l.bucket(ctx, true); err != nil {
					return err
				}
				continue
			}
			return err
		}
		ls := leases{}
		var rev uint64
		if e != nil {
			rev = e.Revision()
			_ = json.Unmarshal(e.Value(), &ls)
		}
		now := l.now().UnixMilli()
		maps.DeleteFunc(ls, func(_ string, end int64) bool { return end <= now })
		if !f(ls) {
			return nil
		}
		if len(ls) > maxLiveIDs { // keep those renewed last
			ids := slices.SortedFunc(maps.Keys(ls), func(a, b string) int { return int(ls[a] - ls[b]) })
			for _, id := range ids[:len(ls)-maxLiveIDs] {
				delete(ls, id)
			}
		}
		b, _ := json.Marshal(ls)
		switch {
		case len(ls) == 0 && rev == 0:
			return nil
		case rev == 0:
			_, err = kv.Create(ctx, k, b)
		default:
			_, err = kv.Update(ctx, k, b, rev)
		}
		if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			continue // another replica wrote it meanwhile: read again
		}
		return err
	}
	return errors.New("sharedlimit: other replicas keep changing this address's live trainings")
}

// lostBucket reports whether err says the bucket (its stream) is gone: a
// read of a key of a lost bucket finds no responder.
func lostBucket(err error) bool {
	return errors.Is(err, jetstream.ErrBucketNotFound) || errors.Is(err, jetstream.ErrStreamNotFound) ||
		errors.Is(err, jetstream.ErrNoStreamResponse) || errors.Is(err, nats.ErrNoResponders)
}

// Take adds runs ids to owner's live ones if owner then has at most max;
// else it returns how many owner has and false.
func (l *Live) Take(owner string, ids []string, max int) (int, bool) {
	have, ok := 0, false
	end := l.now().Add(LiveLease).UnixMilli()
	err := l.update(owner, func(ls leases) bool {
		have = len(ls)
		n := 0
		for _, id := range ids {
			if _, in := ls[id]; !in {
				n++
			}
		}
		if ok = have+n <= max; !ok {
			return false
		}
		for _, id := range ids {
			ls[id] = end
		}
		return true
	})
	if err == nil {
		return have, ok
	}
	l.fellBack(err)
	l.mu.Lock()
	defer l.mu.Unlock()
	ls := l.localOf(owner)
	if have = len(ls); have+len(ids) > max {
		return have, false
	}
	for _, id := range ids {
		ls[id] = l.now().Add(LiveLease)
	}
	return have, true
}

// Renew says that runs ids of owner are still live: their leases start
// again (a run NATS forgot counts again).
func (l *Live) Renew(owner string, ids []string) {
	end := l.now().Add(LiveLease).UnixMilli()
	err := l.update(owner, func(ls leases) bool {
		for _, id := range ids {
			ls[id] = end
		}
		return len(ids) > 0
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	if ls := l.local[owner]; ls != nil || err != nil {
		if err != nil {
			l.loggedOnce(err)
			ls = l.localOf(owner)
		}
		for _, id := range ids {
			ls[id] = l.now().Add(LiveLease)
		}
	}
}

// Release removes run id from owner's live ones (it ended).
func (l *Live) Release(owner, id string) {
	err := l.update(owner, func(ls leases) bool {
		if _, in := ls[id]; !in {
			return false
		}
		delete(ls, id)
		return true
	})
	if err != nil {
		l.fellBack(err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if ls := l.local[owner]; ls != nil {
		if delete(ls, id); len(ls) == 0 {
			delete(l.local, owner)
		}
	}
}

// localOf is owner's fallback leases, the expired ones gone (l.mu held).
func (l *Live) localOf(owner string) map[string]time.Time {
	now := l.now()
	for o, ls := range l.local { // bounded by the addresses seen while NATS was away
		maps.DeleteFunc(ls, func(_ string, end time.Time) bool { return !end.After(now) })
		if len(ls) == 0 && o != owner {
			delete(l.local, o)
		}
	}
	ls := l.local[owner]
	if ls == nil {
		ls = map[string]time.Time{}
		l.local[owner] = ls
	}
	return ls
}

// fellBack logs, at most once a minute, that NATS did not answer.
func (l *Live) fellBack(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.loggedOnce(err)
}

func (l *Live) loggedOnce(err error) {
	if now := l.now(); now.Sub(l.loggedAt) >= time.Minute {
		l.loggedAt = now
		l.log.Warn("live count: NATS key-value did not answer; counting each address's trainings on this replica only meanwhile", "err", err)
	}
}

var _ session.LiveCount = (*Live)(nil)
