package session

import (
	"context"
	"time"
)

// The trainer's side of a cluster (cluster.go): a replica takes jobs from
// the shared queue while it has a free running slot, trains each as a
// session of its own, renews the job while it trains and acknowledges it
// when the run has ended, or hands it back when this replica shuts down.

// jobHeartbeat is how often a replica renews the jobs it trains; the
// queue's acknowledgement wait (internal/bus: 10 s) is a few of them.
const jobHeartbeat = 3 * time.Second

// standbyWait is how long the job of a run another replica trains waits
// before a replica looks at it again.
var standbyWait = 10 * time.Second

// handedOverReason is the state's reason a viewer sees while a run goes
// from one replica to another.
const handedOverReason = "the server training this run stopped; another takes it over from its last checkpoint"

// ServeJobs makes the manager take jobs from the cluster's queue, and
// check that the runs it mirrors are still trained (mirrorcheck.go), until
// Shutdown. It does nothing without a cluster. Call it once, after Restore.
func (m *Manager) ServeJobs() {
	c := m.opt.Cluster
	if c == nil || c.Jobs == nil {
		return
	}
	if c.Relay != nil {
		m.wg.Add(1)
		go m.checkMirrors()
	}
	if c.Live != nil {
		m.wg.Add(1)
		go m.renewLive()
	}
	if qr, ok := c.Jobs.(QueueRecovery); ok {
		m.wg.Add(1)
		go m.watchQueue(qr)
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		for m.base.Err() == nil {
			if !m.freeSlot() {
				select {
				case <-m.base.Done():
				case <-time.After(100 * time.Millisecond):
				}
				continue
			}
			d, err := c.Jobs.Next(m.base)
			if err != nil {
				if m.base.Err() == nil {
					m.log.Warn("bus: no job could be taken from the queue", "err", err)
					select {
					case <-m.base.Done():
					case <-time.After(time.Second):
					}
				}
				continue
			}
			if d != nil {
				m.takeJob(d)
			}
		}
	}()
}

// freeSlot reports whether this replica may take one more training: a
// running slot is free and nothing waits for one.
func (m *Manager) freeSlot() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return !m.closed && m.running+len(m.queue) < m.opt.MaxRunning && m.memUsed < m.trainingBudget()
}

// takeJob trains the session of job d here: from its start the first
// time, from its last checkpoint in the store after another replica died
// with it or handed it back.
func (m *Manager) takeJob(d Delivery) {
	rec, owner := d.Job().Record, d.Job().Owner
	ctx, cancel := context.WithTimeout(m.base, reloadTimeout)
	defer cancel()
	resume := d.Attempt() > 1
	if relay := m.opt.Cluster.Relay; relay != nil {
		// The job of a run a replica trains: put back on a lost queue
		// (queuelost.go) to stand by in case that replica dies (the one
		// it had is gone), or a duplicate. The run is trained once: the
		// job goes back to wait, and once the run has ended it is
		// acknowledged (below).
		if _, err := relay.Ask(ctx, rec.ID, RunRequest{Action: "snapshot"}); err == nil {
			if dn, ok := d.(interface{ NakAfter(time.Duration) error }); ok {
				_ = dn.NakAfter(standbyWait)
			} else {
				_ = d.Nak()
			}
			return
		}
	}
	if st := m.opt.Store; st != nil {
		recs, err := st.QuerySessions(ctx, SessionQuery{IDs: []string{rec.ID}, Limit: 1})
		if err != nil {
			m.log.Error("bus: a job's session could not be read from the store; handed back", "session", rec.ID, "err", err)
			_ = d.Nak()
			return
		}
		if len(recs) == 1 {
			r := recs[0]
			if r.State.Terminal() && !handedOver(r) && r.State != Interrupted {
				_ = d.Ack() // it ended (stopped while queued, or trained already)
				m.releaseJob(owner, rec.ID)
				return
			}
			resume = resume || r.State != Queued
			rec = r
		}
	} else {
		resume = false // nothing was kept to resume from
	}
	ns, err := m.jobSession(ctx, rec, resume)
	if err == nil {
		// Its address's share is held by the mirror of the replica that
		// admitted it, or in the cluster's count (livecount.go): not here
		// again.
		ns.tk.owner, ns.tk.shared = owner, true
	}
	if err != nil {
		m.log.Error("bus: a job cannot be trained here", "session", rec.ID, "err", err)
		if m.base.Err() != nil {
			_ = d.Nak()
			return
		}
		rec.State, rec.Reason, rec.FinishedAt = Failed, ErrorMessage(err), time.Now()
		if st := m.opt.Store; st != nil {
			_ = st.Write(ctx, &Batch{Sessions: []SessionRecord{rec}})
		}
		_ = d.Ack()
		m.releaseJob(owner, rec.ID)
		return
	}
	m.trainJob(d, ns, resume)
}

// handedOver reports whether r was stopped by its replica's shutdown (to
// be taken over by another), not by its owner.
func handedOver(r SessionRecord) bool {
	return r.State == Stopped && r.Reason == errShutdown.Error()
}

// jobSession makes the live session that trains rec here, not yet
// admitted.
func (m *Manager) jobSession(ctx context.Context, rec SessionRecord, resume bool) (*Session, error) {
	if resume {
		old, err := m.restoreOne(ctx, m.opt.Store, rec)
		if err != nil {
			return nil, err
		}
		if old.state != Interrupted { // started here as queued: from the start
			resume = false
		} else {
			return m.resumedSession(ctx, old)
		}
	}
	c, _, fe := m.Check(rec.Config)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	info, _ := m.reg.Info(c.Dataset)
	s := &Session{id: rec.ID, cfg: c, summary: Summarize(c, info.Features), created: rec.CreatedAt, log: m.log,
		wake: make(chan struct{}, 1), done: make(chan struct{}), state: Queued}
	copy(s.token[:], rec.OwnerHash)
	copy(s.owner[:], rec.BrowserHash)
	s.ctx, s.cancel = context.WithCancelCause(m.base)
	s.hub = newHub(s.Info, m.log, StateMsg{State: Queued})
	s.tk = &ticket{s: s, ready: make(chan struct{}),
		need: needOf(c, info.Features, orAll(c.TrainSize, info.TrainSize), orAll(c.TestSize, info.TestSize))}
	return s, nil
}
