package session

import (
	"context"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// The run list shows every session the store keeps, not only the ones in
// memory (Restore brings back the newest MaxFinished, and the manager
// forgets the oldest ended ones beyond it). A kept session that is not in
// memory is loaded from the store when it is asked for (Get), into a small
// cache of its own, so opening an old run from the list works without
// growing the home page's list or the memory the manager holds.

// reloadedCap bounds the sessions loaded back from the store on demand.
const reloadedCap = 16

// reloadTimeout bounds loading one session back from the store.
const reloadTimeout = 10 * time.Second

// RunsPage is one page of the run list.
type RunsPage struct {
	Sessions []Info
	// Next is the cursor of the next page ("" on the last one).
	Next string
}

// Runs returns one page of the sessions q selects: with a store, every
// kept session (the live state of those in memory); without, the ones in
// memory. q.Limit is clamped to [1, MaxRunsLimit] (0 → DefaultRunsLimit).
func (m *Manager) Runs(ctx context.Context, q SessionQuery) (RunsPage, error) {
	switch {
	case q.Limit <= 0:
		q.Limit = DefaultRunsLimit
	case q.Limit > MaxRunsLimit:
		q.Limit = MaxRunsLimit
	}
	if q.Sort == "" {
		q.Sort = SortDate
	}
	limit := q.Limit
	q.Limit++ // one more, to know whether there is a next page
	var recs []SessionRecord
	if st := m.opt.Store; st != nil {
		m.rec.flush() // what is pending (a run started a moment ago) is listed too
		var err error
		if recs, err = st.QuerySessions(ctx, q); err != nil {
			return RunsPage{}, &Error{Code: EInternal, Message: "the run list could not be read from the store", Err: err}
		}
	} else {
		list := m.List()
		all := make([]SessionRecord, len(list))
		for i, s := range list {
			all[i] = s.record()
		}
		recs = Select(all, q)
	}
	var page RunsPage
	if len(recs) > limit {
		recs = recs[:limit]
		page.Next = CursorOf(q.Sort, recs[limit-1]).Encode()
	}
	page.Sessions = make([]Info, len(recs))
	for i, r := range recs {
		page.Sessions[i] = m.infoOf(r)
	}
	return page, nil
}

// infoOf describes a kept session: as it is now if it is in memory, else
// as the store keeps it (a live state there means the server stopped
// during the run: interrupted).
func (m *Manager) infoOf(r SessionRecord) Info {
	m.mu.Lock()
	s := m.sessions[r.ID]
	m.mu.Unlock()
	if s != nil {
		return s.Info()
	}
	if s, ok := m.reloadedGet(r.ID); ok {
		return s.Info()
	}
	in := Info{ID: r.ID, State: r.State, Error: r.Reason, Config: r.Config, Epoch: r.Epoch, Step: r.Step,
		TotalSteps: r.TotalSteps, TrainLoss: r.TrainLoss, TestLoss: r.TestLoss, CreatedAt: r.CreatedAt,
		Imported: r.Origin == "import"}
	if di, err := m.reg.Info(r.Config.Dataset); err == nil {
		in.Summary = Summarize(r.Config, di.Features)
	}
	if !in.State.Terminal() && m.opt.Cluster == nil {
		in.State, in.Error = Interrupted, interruptedReason
	}
	if !r.StartedAt.IsZero() {
		t := r.StartedAt
		in.StartedAt = &t
	}
	if !r.FinishedAt.IsZero() {
		t := r.FinishedAt
		in.FinishedAt = &t
	}
	return in
}

// reloadedCache returns the cache of sessions loaded back on demand.
func (m *Manager) reloadedCache() *lru.Cache[string, *Session] {
	m.reloadOnce.Do(func() { m.reloaded, _ = lru.New[string, *Session](reloadedCap) })
	return m.reloaded
}

func (m *Manager) reloadedGet(id string) (*Session, bool) {
	if m.opt.Store == nil {
		return nil, false
	}
	return m.reloadedCache().Get(id)
}

// fromStore returns kept session id, loading it from the store when it is
// not in memory; nil if the store does not keep it (or has no store).
func (m *Manager) fromStore(id string) *Session {
	st := m.opt.Store
	if st == nil || id == "" || len(id) > 64 {
		return nil
	}
	if s, ok := m.reloadedGet(id); ok {
		return s
	}
	ctx, cancel := context.WithTimeout(m.base, reloadTimeout)
	defer cancel()
	recs, err := st.QuerySessions(ctx, SessionQuery{IDs: []string{id}, Limit: 1})
	if err != nil {
		m.log.Error("store: a kept session could not be read", "session", id, "err", err)
		return nil
	}
	if len(recs) == 0 {
		return nil
	}
	s, err := m.restoreOne(ctx, st, recs[0])
	if err != nil {
		m.log.Warn("a kept session could not be loaded", "session", id, "err", err)
		return nil
	}
	if prev, ok, _ := m.reloadedCache().PeekOrAdd(id, s); ok {
		return prev
	}
	return s
}

// forgetReloaded drops session id from the cache of reloaded ones.
func (m *Manager) forgetReloaded(id string) {
	if m.opt.Store != nil {
		m.reloadedCache().Remove(id)
	}
}
