// Training a job here: the run's messages go out on the bus, requests
// about it are answered here, and its job is renewed until the run ends,
// then acknowledged or handed back.

package session

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// trainJob admits ns, whose job is d, and trains it: its messages go out
// on the bus, requests about it are answered here, and d is renewed until
// the run ends, then acknowledged (or handed back on shutdown).
func (m *Manager) trainJob(d Delivery, ns *Session, resumed bool) {
	c := m.opt.Cluster
	inc := newID()
	ns.replica = c.Replica
	if c.Events != nil {
		ns.hub.tap = func(seq uint64, msg []byte, ev hubEvent) {
			handover := ev.state != nil && ev.state.State.Terminal() && errors.Is(context.Cause(ns.ctx), errShutdown)
			c.Events.Publish(ns.id, RunMessage{Incarnation: inc, Seq: seq, Handover: handover, Data: msg})
		}
	}
	stopServe := func() {}
	if c.Relay != nil {
		var err error
		if stopServe, err = c.Relay.Serve(ns.id, m.answer(ns, inc)); err != nil {
			m.log.Error("bus: requests about a run cannot be served", "session", ns.id, "err", err)
			stopServe = func() {}
		}
	}
	if resumed && c.Events != nil {
		// Viewers elsewhere see the run interrupted, then its new snapshot.
		b, _ := json.Marshal(StateMsg{Type: TypeState, State: Interrupted, Error: handedOverReason, TestLoss: ns.testLoss})
		c.Events.Publish(ns.id, RunMessage{Incarnation: inc, Handover: true, Data: b})
	}

	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		stopServe()
		ns.cancel(errShutdown)
		_ = d.Nak()
		return
	}
	if replaced := m.installLocked(ns); replaced != nil {
		// The run is trained here now, but the mirror that followed it
		// keeps its viewers' streams going until the run ends; Shutdown
		// must still find it to stop its hub and bus subscription.
		m.keepReplacedLocked(replaced)
	}
	ns.tk.queued = true
	m.queue = append(m.queue, ns.tk)
	m.dispatchLocked()
	m.wg.Add(2)
	m.mu.Unlock()
	m.log.Info("bus: training a job", "session", ns.id, "replica", c.Replica, "resumed", resumed, "attempt", d.Attempt())
	go func() {
		defer m.wg.Done()
		ns.run(m)
	}()
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(jobHeartbeat)
		defer t.Stop()
		warned := false
	renew:
		for {
			select {
			case <-ns.done:
				break renew
			case <-t.C:
				if err := d.InProgress(); err != nil && !warned {
					warned = true // once: a lost queue fails every renewal
					m.log.Warn("bus: a job could not be renewed", "session", ns.id, "err", err)
				} else if err == nil {
					warned = false
				}
			}
		}
		<-ns.hub.done
		if m.rec != nil {
			m.rec.flush() // the last checkpoint is in the store before another replica looks
		}
		stopServe()
		if errors.Is(context.Cause(ns.ctx), errShutdown) && ns.State() == Stopped {
			_ = d.Nak()
			m.log.Info("bus: a job was handed back", "session", ns.id, "replica", c.Replica)
			return
		}
		if err := d.Ack(); err != nil {
			m.log.Warn("bus: a job could not be acknowledged", "session", ns.id, "err", err)
		}
		m.releaseJob(ns.tk.owner, ns.id)
	}()
}

// releaseJob gives back the place of run id, whose job ended here, in its
// address's share when the cluster counts it (without a cluster count,
// the mirror of the replica that admitted it does when it hears the end).
func (m *Manager) releaseJob(owner, id string) {
	if lc := m.liveCount(); lc != nil && owner != "" {
		lc.Release(owner, id)
	}
}
