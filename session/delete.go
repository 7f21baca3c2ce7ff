package session

import (
	"context"
	"slices"
)

// Delete forgets session s: it stops it if it still runs, removes it from
// the manager and deletes everything the store keeps of it. The caller
// checks that the owner asks.
func (m *Manager) Delete(ctx context.Context, s *Session) error {
	s.cancel(errStoppedByOwner)
	select {
	case <-s.done:
	case <-ctx.Done():
		return Errorf(EUnavailable, "session %s is still stopping; try again in a moment", s.id)
	}
	select {
	case <-s.hub.done:
	case <-ctx.Done():
		return Errorf(EUnavailable, "session %s is still stopping; try again in a moment", s.id)
	}
	if m.rec != nil && m.rec.forget(ctx, s.id) != nil {
		return Errorf(EUnavailable, "session %s is still being written to the store; try again in a moment", s.id)
	}
	m.mu.Lock()
	delete(m.sessions, s.id)
	if i := slices.Index(m.order, s); i >= 0 {
		m.order = slices.Delete(m.order, i, i+1)
	}
	m.mu.Unlock()
	m.forgetReloaded(s.id)
	m.early.forget(s)
	s.snap.Store(nil)
	if m.rec != nil {
		if err := m.opt.Store.DeleteSession(ctx, s.id); err != nil {
			return &Error{Code: EInternal, Message: "the session could not be deleted from the store", Err: err}
		}
	}
	m.log.Info("session deleted", "session", s.id)
	return nil
}
