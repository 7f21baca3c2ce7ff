// Installing a job's session in the manager's registry, in the place of
// the mirror or restored session of its run.

package session

import "slices"

// installLocked registers ns (m.mu held) in the place of whatever session
// of its ID is known here (a mirror, a restored one); with a store, ns
// persists, a resumed one forgetting the points past its checkpoint. It
// returns the mirror ns replaces, if any.
func (m *Manager) installLocked(ns *Session) *remoteRun {
	if m.rec != nil {
		ns.rec = m.rec
		ns.kf.st = m.rec.st
		if ns.from != nil {
			to := ns.step
			if ns.from.ck.Params == nil {
				to = -1
			}
			m.rec.rewind(ns.id, to)
		}
		ns.hub.persist = ns.persistEvent
		ns.persistHead()
	}
	old := m.sessions[ns.id]
	var replaced *remoteRun
	if old != nil && old != ns {
		replaced = old.remote
	}
	m.sessions[ns.id] = ns
	if i := indexOf(m.order, old); i >= 0 {
		m.order[i] = ns
		return replaced
	}
	m.order = append(m.order, ns)
	m.evictLocked()
	return replaced
}

// keepReplacedLocked keeps rr, a mirror replaced by the training of its
// run here, for Shutdown to end, forgetting those that have ended (m.mu
// held; s.done tells without taking rr.mu).
func (m *Manager) keepReplacedLocked(rr *remoteRun) {
	m.replaced = slices.DeleteFunc(m.replaced, func(x *remoteRun) bool { return !x.s.following() })
	m.replaced = append(m.replaced, rr)
}

func indexOf(list []*Session, s *Session) int {
	if s == nil {
		return -1
	}
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
