package session

import (
	"context"
	"errors"
	"time"
)

// Live messages travel at most once: a replica that misses a run's final
// state (a reconnection to the bus at the wrong moment) would show it live
// for ever. So every mirrorCheckEvery, each mirror that heard nothing for
// mirrorQuiet asks whether a replica still trains its run; if none does
// and the store says the run has ended, the mirror ends with that state.

var (
	mirrorCheckEvery = 10 * time.Second
	mirrorQuiet      = 20 * time.Second
)

// checkMirrors runs until the manager shuts down.
func (m *Manager) checkMirrors() {
	defer m.wg.Done()
	t := time.NewTicker(mirrorCheckEvery)
	defer t.Stop()
	for {
		select {
		case <-m.base.Done():
			return
		case <-t.C:
		}
		m.mu.Lock()
		var quiet []*remoteRun
		for _, s := range m.sessions {
			if rr := s.remote; rr != nil && rr.quietFor() > mirrorQuiet {
				quiet = append(quiet, rr)
			}
		}
		m.mu.Unlock()
		for _, rr := range quiet {
			rr.check()
		}
	}
}

// quietFor is how long the mirror has heard nothing; 0 once it has ended.
func (rr *remoteRun) quietFor() time.Duration {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if rr.ended || !rr.ready {
		return 0
	}
	return time.Since(rr.heard)
}

// check ends the mirror with the state the store keeps if no replica
// trains its run and the run has ended.
func (rr *remoteRun) check() {
	m := rr.m
	ctx, cancel := context.WithTimeout(m.base, askTimeout)
	defer cancel()
	if _, err := m.opt.Cluster.Relay.Ask(ctx, rr.s.id, RunRequest{Action: "snapshot"}); !errors.Is(err, ErrNoTrainer) {
		rr.mu.Lock()
		rr.heard = time.Now() // it trains (paused, perhaps), or the bus is down: ask again later
		rr.mu.Unlock()
		return
	}
	st := m.opt.Store
	if st == nil {
		return
	}
	recs, err := st.QuerySessions(ctx, SessionQuery{IDs: []string{rr.s.id}, Limit: 1})
	if err != nil || len(recs) == 0 {
		return
	}
	r := recs[0]
	if !r.State.Terminal() || r.State == Interrupted || handedOver(r) {
		return // queued, or on its way to another replica
	}
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if rr.ended {
		return
	}
	m.log.Info("bus: a mirrored run ended unheard; its state is taken from the store", "session", rr.s.id, "state", r.State)
	ev := hubEvent{state: &StateMsg{State: r.State, Error: r.Reason, TestLoss: r.TestLoss}}
	rr.s.noteEvent(ev)
	rr.s.hub.publishWait(ev)
	rr.endLocked(true)
}
