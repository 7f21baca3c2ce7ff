package session

import (
	"context"
	"time"
)

// A lost queue. The queue's jobs live in NATS (a JetStream stream); NATS
// restarted without its storage, or the stream deleted, loses them all:
// the runs waiting for a replica and, as far as the queue knows, those
// being trained. The replicas training runs go on training them, but a
// run that waited, or whose replica died or handed it back meanwhile,
// would never be taken again, and its viewers would see it live for ever.
// So every queueCheckEvery each replica checks the queue; the one that
// finds it lost makes it again and puts back the job of every run the
// store lists as queued, running, paused or handed over that no replica
// trains (each once, whichever replicas do it). A replica resumes each
// from its last checkpoint, as after a failover, and its viewers see it
// interrupted, then running again; one that never ran starts from the
// beginning. Nothing running or saved is lost.

// QueueRecovery is a JobQueue that can find out it was lost and be made
// again (internal/bus).
type QueueRecovery interface {
	// Recover makes the queue again if it was lost and reports whether it
	// was, and since when the queue it found or made exists (the same for
	// every replica).
	Recover(ctx context.Context) (lost bool, since time.Time, err error)
	// Requeue puts j on the queue made at since once, however many
	// replicas requeue it.
	Requeue(ctx context.Context, j Job, since time.Time) error
}

// queueCheckEvery is how often a replica checks that the queue is there.
var queueCheckEvery = 10 * time.Second

// maxRequeue bounds the runs one recovery puts back (the store's live
// runs: at most the queue's 10,000 jobs).
const maxRequeue = 10000

// watchQueue checks the queue until the manager shuts down.
func (m *Manager) watchQueue(qr QueueRecovery) {
	defer m.wg.Done()
	t := time.NewTicker(queueCheckEvery)
	defer t.Stop()
	for {
		select {
		case <-m.base.Done():
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(m.base, reloadTimeout)
		lost, since, err := qr.Recover(ctx)
		switch {
		case err != nil:
			if m.base.Err() == nil {
				m.log.Warn("bus: the queue could not be checked", "err", err)
			}
		case lost:
			m.requeueLost(ctx, qr, since)
		}
		cancel()
	}
}

// requeueLost puts back on the queue made at since the job of every run
// the store lists as live that was admitted before (those admitted since
// have their jobs on it).
func (m *Manager) requeueLost(ctx context.Context, qr QueueRecovery, since time.Time) {
	st, relay := m.opt.Store, m.opt.Cluster.Relay
	if st == nil || relay == nil {
		m.log.Error("bus: the queue was lost, and without a store the runs it held cannot be found again")
		return
	}
	var live []SessionRecord
	for _, state := range []State{Queued, Running, Paused, Stopped} {
		recs, err := st.QuerySessions(ctx, SessionQuery{State: state, Limit: maxRequeue})
		if err != nil {
			m.log.Error("bus: the runs of a lost queue could not be read from the store", "state", state, "err", err)
			return
		}
		for _, r := range recs {
			if (state != Stopped || handedOver(r)) && r.CreatedAt.Before(since) {
				live = append(live, r)
			}
		}
	}
	n := 0
	for _, r := range live {
		// The job of a run a replica trains stands by: replicas hand it
		// back while that replica answers for the run (takeJob), and
		// resume the run if it dies.
		owner := ""
		m.mu.Lock()
		if s := m.sessions[r.ID]; s != nil && s.remote != nil {
			owner = s.remote.owner
		}
		m.mu.Unlock()
		if err := qr.Requeue(ctx, Job{Record: r, Owner: owner}, since); err != nil {
			m.log.Error("bus: a run of the lost queue could not be put back", "session", r.ID, "err", err)
			continue
		}
		n++
	}
	m.log.Warn("bus: the queue was lost and made again; the live runs' jobs were put back on it", "requeued", n)
}
