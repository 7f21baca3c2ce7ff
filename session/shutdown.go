package session

import (
	"context"
	"slices"
)

// Shutdown stops every training and the comparisons' background work and
// waits for them to publish their final state, or for ctx to end.
func (m *Manager) Shutdown(ctx context.Context) error {
	m.mu.Lock()
	m.closed = true
	stores := slices.Clone(m.stores)
	mirrors := slices.Clone(m.replaced)
	for _, s := range m.sessions {
		if s.remote != nil {
			mirrors = append(mirrors, s.remote)
		}
	}
	m.mu.Unlock()
	for _, rr := range mirrors {
		rr.end(false)
	}
	m.stop(errShutdown)
	var errs []error
	for _, st := range stores {
		if err := st.Close(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	done := make(chan struct{})
	go func() {
		m.wg.Wait()
		m.waitHubs()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		errs = append(errs, ctx.Err())
	}
	m.closeStore()
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}
