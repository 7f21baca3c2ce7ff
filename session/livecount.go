package session

import (
	"time"
)

// Each address's share of trainings in a cluster (-max-per-address). On one
// server a training counts from its admission to its end in Manager.live.
// In a cluster a run is held by the replica whose door admitted it (its
// mirror follows the run) and by the replica that trains it, which may be
// the same or another, and changes on failover; the share is the
// cluster's. With Cluster.Live (internal/sharedlimit keeps it in NATS
// key-value), each run counts once for its address across the replicas,
// whoever holds it: the holders renew it every LiveRenewEvery, and the run's
// end releases it. Without it, the admitting replica's mirror holds the
// count, as on one server (the share is then per replica), and the
// training replica counts nothing, so that a run trained where it was
// admitted is not counted twice.

// LiveCount keeps each address's live trainings (queued, running or
// paused) across the replicas; a run counts once however many replicas
// hold it.
type LiveCount interface {
	// Take adds runs ids to owner's if owner then has at most max; else it
	// returns how many owner has, and false.
	Take(owner string, ids []string, max int) (have int, ok bool)
	// Renew says that runs ids of owner are still live.
	Renew(owner string, ids []string)
	// Release removes run id from owner's (it ended).
	Release(owner, id string)
}

// LiveRenewEvery is how often a replica renews the runs it holds in the
// cluster's live count (internal/sharedlimit: a lease of 90 s).
var LiveRenewEvery = 20 * time.Second

// liveCount returns the cluster's live count, nil without one.
func (m *Manager) liveCount() LiveCount {
	if c := m.opt.Cluster; c != nil {
		return c.Live
	}
	return nil
}

// holdLive counts runs ids for owner, refusing them when owner would have
// more than MaxPerAddress: in the cluster's live count if there is one,
// else in this replica's. It returns the function that gives back some of
// them (a mirror made for one holds it from then on, and gives it back
// when it ends).
func (m *Manager) holdLive(owner string, ids []string) (giveBack func(ids ...string), err error) {
	refuse := func(have int) error {
		return m.refuse(RefusedPerAddress, Errorf(EUnavailable, "your address already has %d trainings queued, running or paused, and this would add %d: one address may have at most %d at once so that others get their turn; stop or wait for some of them",
			have, len(ids), m.opt.MaxPerAddress))
	}
	if owner == "" {
		return func(...string) {}, nil
	}
	if lc := m.liveCount(); lc != nil {
		if have, ok := lc.Take(owner, ids, m.opt.MaxPerAddress); !ok {
			return nil, refuse(have)
		}
		return func(ids ...string) {
			for _, id := range ids {
				lc.Release(owner, id)
			}
		}, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if have := m.live[owner]; have+len(ids) > m.opt.MaxPerAddress {
		return nil, refuse(have)
	}
	m.live[owner] += len(ids)
	return func(ids ...string) {
		m.mu.Lock()
		if m.live[owner] -= len(ids); m.live[owner] <= 0 {
			delete(m.live, owner)
		}
		m.mu.Unlock()
	}, nil
}

// releaseLive gives back run id of owner: in the cluster's live count, or
// this replica's.
func (m *Manager) releaseLive(owner, id string) {
	if owner == "" {
		return
	}
	if lc := m.liveCount(); lc != nil {
		lc.Release(owner, id)
		return
	}
	m.mu.Lock()
	if m.live[owner]--; m.live[owner] <= 0 {
		delete(m.live, owner)
	}
	m.mu.Unlock()
}

// renewLive renews, every LiveRenewEvery until shutdown, the runs this
// replica holds in the cluster's live count: those it admitted and still
// follows, and those it trains.
func (m *Manager) renewLive() {
	defer m.wg.Done()
	lc := m.liveCount()
	t := time.NewTicker(LiveRenewEvery)
	defer t.Stop()
	for {
		select {
		case <-m.base.Done():
			return
		case <-t.C:
		}
		held := map[string][]string{}
		m.mu.Lock()
		for _, s := range m.sessions {
			if rr := s.remote; rr != nil && rr.owner != "" && s.following() {
				held[rr.owner] = append(held[rr.owner], s.id)
			}
			if tk := s.tk; tk != nil && tk.owner != "" && !tk.left {
				held[tk.owner] = append(held[tk.owner], s.id)
			}
		}
		for _, rr := range m.replaced {
			if rr.owner != "" && rr.s.following() {
				held[rr.owner] = append(held[rr.owner], rr.s.id)
			}
		}
		m.mu.Unlock()
		for owner, ids := range held {
			if m.base.Err() != nil {
				return
			}
			lc.Renew(owner, ids)
		}
	}
}
