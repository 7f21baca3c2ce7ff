package session

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sync"
	"time"
)

// ComparisonKind says how a comparison came to be.
type ComparisonKind string

// Kinds of comparison.
const (
	// Sweep: one new session per bottleneck width, everything else equal.
	Sweep ComparisonKind = "sweep"
	// Group: existing sessions put side by side; they may differ in anything.
	Group ComparisonKind = "group"
)

// MaxCompared is the most sessions one comparison holds: one colour of the
// Okabe–Ito palette each.
const MaxCompared = 8

// maxComparisons is how many comparisons a store remembers; the oldest
// beyond it are forgotten (their sessions live on).
const maxComparisons = 200

// ComparisonStore creates comparisons of sessions of one Manager, finds them
// again and computes their PCA baselines in the background. It is safe for
// concurrent use.
type ComparisonStore struct {
	m      *Manager
	base   *baselines
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	byID   map[string]*Comparison
	order  []*Comparison
	closed bool
}

// NewComparisonStore returns an empty store for the sessions of m. The
// manager owns it: m.Shutdown closes it (stopping its baselines).
func NewComparisonStore(m *Manager) *ComparisonStore {
	ctx, cancel := context.WithCancel(context.Background())
	st := &ComparisonStore{m: m, base: newBaselines(m), ctx: ctx, cancel: cancel, byID: make(map[string]*Comparison)}
	m.mu.Lock()
	m.stores = append(m.stores, st)
	closed := m.closed
	m.mu.Unlock()
	if closed {
		st.closed = true
		cancel()
	}
	return st
}

// Comparison is a set of sessions shown side by side, with the PCA baseline
// of each. Its members never change; their baselines arrive when computed.
type Comparison struct {
	id      string
	kind    ComparisonKind
	created time.Time
	members []*member
	differs []Difference

	mu sync.Mutex // guards the members' baselines
}

type member struct {
	s     *Session
	label string
	base  Baseline
}

// ComparisonInfo is the public description of a comparison: the body of
// GET /api/comparisons/{id}.
type ComparisonInfo struct {
	ID        string         `json:"id"`
	Kind      ComparisonKind `json:"kind"`
	CreatedAt time.Time      `json:"created_at"`
	// Differs lists the configuration fields whose values are not the same
	// in every member.
	Differs []Difference `json:"differs"`
	Members []MemberInfo `json:"members"`
	// BaselineReady is true once every member's PCA figure is known (or has
	// failed).
	BaselineReady bool `json:"baseline_ready"`
}

// MemberInfo is one session of a comparison.
type MemberInfo struct {
	// Label names the member by what sets it apart, e.g. "M = 8" or
	// "M = 8 · tanh".
	Label   string   `json:"label"`
	Session Info     `json:"session"`
	PCA     Baseline `json:"pca"`
}

// ID returns the comparison's identifier (used in its URL).
func (c *Comparison) ID() string { return c.id }

// Kind says whether the comparison is a sweep or a group.
func (c *Comparison) Kind() ComparisonKind { return c.kind }

// Sessions returns the members, in display order (by bottleneck width).
func (c *Comparison) Sessions() []*Session {
	out := make([]*Session, len(c.members))
	for i, mb := range c.members {
		out[i] = mb.s
	}
	return out
}

// Labels returns the members' labels, in the order of Sessions.
func (c *Comparison) Labels() []string {
	out := make([]string, len(c.members))
	for i, mb := range c.members {
		out[i] = mb.label
	}
	return out
}

// Differences returns the fields in which the members differ.
func (c *Comparison) Differences() []Difference { return slices.Clone(c.differs) }

// Baselines returns the members' PCA figures so far, in the order of
// Sessions.
func (c *Comparison) Baselines() []Baseline {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Baseline, len(c.members))
	for i, mb := range c.members {
		out[i] = mb.base
	}
	return out
}

// Info returns a copy of the comparison's current description.
func (c *Comparison) Info() ComparisonInfo {
	base := c.Baselines()
	in := ComparisonInfo{ID: c.id, Kind: c.kind, CreatedAt: c.created, Differs: c.Differences(), BaselineReady: true}
	for i, mb := range c.members {
		in.Members = append(in.Members, MemberInfo{Label: mb.label, Session: mb.s.Info(), PCA: base[i]})
		if base[i].State == BaselinePending {
			in.BaselineReady = false
		}
	}
	if in.Differs == nil {
		in.Differs = []Difference{}
	}
	return in
}

// Group puts existing sessions (running or ended) side by side. Members are
// ordered by bottleneck width, then by creation time.
func (st *ComparisonStore) Group(ids []string) (*Comparison, error) {
	bad := func(format string, args ...any) error {
		e := Errorf(EInvalid, format, args...)
		e.Field = "sessions"
		return e
	}
	switch {
	case len(ids) < 2:
		return nil, bad("choose at least 2 sessions to compare")
	case len(ids) > MaxCompared:
		return nil, bad("choose at most %d sessions to compare (one colour each on the charts); you chose %d", MaxCompared, len(ids))
	}
	var sessions []*Session
	for _, id := range ids {
		s, err := st.m.Get(id)
		if err != nil {
			return nil, bad("there is no session %q (it may have ended long ago and been forgotten)", truncate(id, 40))
		}
		if slices.Contains(sessions, s) {
			return nil, bad("session %s is listed twice: list each session once", id)
		}
		sessions = append(sessions, s)
	}
	slices.SortStableFunc(sessions, func(a, b *Session) int {
		return cmp.Or(cmp.Compare(a.cfg.Bottleneck, b.cfg.Bottleneck), a.created.Compare(b.created))
	})
	return st.add(Group, sessions)
}

// Get returns the comparison with the given id.
func (st *ComparisonStore) Get(id string) (*Comparison, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if c, ok := st.byID[id]; ok {
		return c, nil
	}
	return nil, Errorf(ENotFound, "there is no comparison %q (it may have been forgotten: the server keeps the latest %d)", truncate(id, 40), maxComparisons)
}

// Close stops computing baselines and waits for the computations under way
// (a PCA fit cannot be interrupted), or for ctx to end.
func (st *ComparisonStore) Close(ctx context.Context) error {
	st.mu.Lock()
	st.closed = true
	st.mu.Unlock()
	st.cancel()
	done := make(chan struct{})
	go func() { st.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (st *ComparisonStore) open() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return Errorf(EUnavailable, "the server is shutting down; try again in a minute")
	}
	return nil
}

// add records a comparison of sessions and starts computing its baselines.
func (st *ComparisonStore) add(kind ComparisonKind, sessions []*Session) (*Comparison, error) {
	configs := make([]Config, len(sessions))
	for i, s := range sessions {
		configs[i] = s.cfg
	}
	differs := differences(configs)
	labels := memberLabels(configs, differs, sessions)
	return st.insert("", kind, time.Now(), sessions, labels)
}

// insert registers a comparison (a new one when id is "", else one kept in
// the store) and starts computing its baselines.
func (st *ComparisonStore) insert(id string, kind ComparisonKind, created time.Time, sessions []*Session, labels []string) (*Comparison, error) {
	configs := make([]Config, len(sessions))
	for i, s := range sessions {
		configs[i] = s.cfg
	}
	c := &Comparison{kind: kind, created: created, differs: differences(configs)}
	for i, s := range sessions {
		c.members = append(c.members, &member{s: s, label: labels[i], base: Baseline{State: BaselinePending, K: s.cfg.Bottleneck}})
	}

	st.mu.Lock()
	if st.closed {
		st.mu.Unlock()
		return nil, Errorf(EUnavailable, "the server is shutting down; try again in a minute")
	}
	c.id = id
	for c.id == "" || st.byID[c.id] != nil {
		if id != "" { // kept twice: once is enough
			st.mu.Unlock()
			return st.byID[id], nil
		}
		c.id = newID()
	}
	st.byID[c.id] = c
	st.order = append(st.order, c)
	if len(st.order) > maxComparisons {
		delete(st.byID, st.order[0].id)
		st.order = slices.Delete(st.order, 0, 1)
	}
	st.wg.Add(1)
	st.mu.Unlock()

	go func() {
		defer st.wg.Done()
		start := time.Now()
		for _, mb := range c.members {
			b := st.base.compute(st.ctx, mb.s.cfg)
			c.mu.Lock()
			mb.base = b
			c.mu.Unlock()
			if b.State == BaselineFailed && st.ctx.Err() == nil {
				st.m.log.Warn("PCA baseline failed", "comparison", c.id, "session", mb.s.id, "err", b.Error)
			}
		}
		st.m.log.Info("PCA baselines computed", "comparison", c.id, "took", time.Since(start).Round(time.Millisecond))
	}()
	if id == "" {
		st.m.log.Info("comparison created", "comparison", c.id, "kind", kind, "sessions", len(sessions))
		if st.m.rec != nil {
			rec := ComparisonRecord{ID: c.id, Kind: kind, CreatedAt: created}
			for i, s := range sessions {
				rec.Members = append(rec.Members, ComparisonMember{SessionID: s.id, Label: labels[i]})
			}
			st.m.rec.comparison(rec)
		}
	}
	return c, nil
}

// clone returns c with its own copies of the layer lists.
func (c Config) clone() Config {
	c.Encoder = slices.Clone(c.Encoder)
	c.Decoder = slices.Clone(c.Decoder)
	c.TrainClasses = slices.Clone(c.TrainClasses)
	c.given = maps.Clone(c.given)
	if c.Noise != nil {
		n := *c.Noise
		c.Noise = &n
	}
	return c
}
