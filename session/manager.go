package session

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/hex"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aelab/aelab/datasets"
)

// Options configure a Manager.
type Options struct {
	Datasets    *datasets.Registry
	Limits      Limits       // zero → DefaultLimits()
	MaxRunning  int          // trainings that run at once; more wait in a queue (0 → 32)
	MaxQueued   int          // trainings that may wait; more are refused (0 → 64)
	MaxFinished int          // ended sessions kept for viewing; the oldest beyond it are forgotten (0 → 500)
	Logger      *slog.Logger // nil → slog.Default()
	Cores       int          // CPU slots shared by the trainings (0 → GOMAXPROCS)
	// Store keeps sessions across restarts (nil: memory only). Call
	// Restore once after NewManager to bring back what it holds.
	Store Store
	// MaxStoreBytes bounds the store (Store.Trim); 0 means no bound.
	MaxStoreBytes int64
}

// Manager creates sessions, schedules their trainings and finds them again.
// It is safe for concurrent use.
type Manager struct {
	reg  *datasets.Registry
	lim  Limits
	opt  Options
	log  *slog.Logger
	cpu  *cpuPool
	base context.Context
	stop context.CancelCauseFunc
	wg   sync.WaitGroup

	mu       sync.Mutex
	sessions map[string]*Session
	order    []*Session // by creation
	rec      *recorder  // nil without a store
	running  int
	queue    []waiter
	closed   bool
}

type waiter struct {
	s     *Session
	ready chan struct{}
}

// NewManager returns a manager with the given options.
func NewManager(opt Options) *Manager {
	if opt.Limits == (Limits{}) {
		opt.Limits = DefaultLimits()
	}
	if opt.MaxRunning <= 0 {
		opt.MaxRunning = 32
	}
	if opt.MaxQueued <= 0 {
		opt.MaxQueued = 64
	}
	if opt.MaxFinished <= 0 {
		opt.MaxFinished = 500
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	base, stop := context.WithCancelCause(context.Background())
	m := &Manager{reg: opt.Datasets, cpu: newCPUPool(opt.Cores), lim: opt.Limits, opt: opt, log: opt.Logger, base: base, stop: stop,
		sessions: make(map[string]*Session)}
	if opt.Store != nil {
		m.rec = newRecorder(opt.Store, opt.MaxStoreBytes, opt.Logger)
		m.keepUploads()
	}
	return m
}

// Limits returns the bounds that configurations are checked against.
func (m *Manager) Limits() Limits { return m.lim }

// Datasets returns the registry sessions train on.
func (m *Manager) Datasets() *datasets.Registry { return m.reg }

// Check validates c without starting anything: the completed config, its
// summary (when the dataset is known) and the errors.
func (m *Manager) Check(c Config) (Config, Summary, FieldErrors) {
	c, fe := Validate(c, m.reg, m.lim)
	var sum Summary
	if info, err := m.reg.Info(c.Dataset); err == nil {
		sum = Summarize(c, info.Features)
	}
	return c, sum, fe
}

// Create validates c and starts a training session for it. It returns the
// session and its owner token, which Authorize checks.
func (m *Manager) Create(c Config) (*Session, string, error) {
	c, fe := Validate(c, m.reg, m.lim)
	if err := fe.Err(); err != nil {
		return nil, "", err
	}
	info, _ := m.reg.Info(c.Dataset)
	token := newToken() // the caller's; the session keeps its hash
	s := &Session{
		id: newID(), token: OwnerOf(token), cfg: c, summary: Summarize(c, info.Features),
		created: time.Now(), log: m.log, wake: make(chan struct{}, 1), done: make(chan struct{}),
		state: Queued,
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, "", Errorf(EUnavailable, "the server is shutting down; try again in a minute")
	}
	if m.running >= m.opt.MaxRunning && len(m.queue) >= m.opt.MaxQueued {
		n := len(m.queue)
		m.mu.Unlock()
		return nil, "", Errorf(EUnavailable, "the server is busy: %d trainings are running and %d are waiting; try again in a minute", m.running, n)
	}
	for m.sessions[s.id] != nil {
		s.id = newID()
	}
	s.ctx, s.cancel = context.WithCancelCause(m.base)
	m.registerLocked(s)
	m.wg.Add(1)
	m.mu.Unlock()

	go func() {
		defer m.wg.Done()
		s.run(m)
	}()
	m.log.Info("session created", "session", s.id, "dataset", c.Dataset, "sizes", Arrow(s.summary.Sizes))
	return s, token, nil
}

// Get returns the session with the given id.
func (m *Manager) Get(id string) (*Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.sessions[id]; ok {
		return s, nil
	}
	return nil, Errorf(ENotFound, "there is no session %q (it may have ended long ago and been forgotten)", id)
}

// List returns every known session, newest first.
func (m *Manager) List() []*Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := slices.Clone(m.order)
	slices.Reverse(out)
	return out
}

// keptModels is how many ended sessions keep their final weights (for the
// latent explorer and the other views that run the model); older ones keep
// their history but free the weights, a few MB each.
const keptModels = 64

// evictLocked forgets the oldest ended sessions beyond MaxFinished, and the
// weights of those beyond keptModels.
func (m *Manager) evictLocked() {
	ended := 0
	for i := len(m.order) - 1; i >= 0; i-- {
		if s := m.order[i]; s.State().Terminal() {
			ended++
			if ended > keptModels {
				s.snap.Store(nil)
				s.modelFreed.Store(true)
			}
		}
	}
	for i := 0; ended > m.opt.MaxFinished && i < len(m.order); {
		s := m.order[i]
		if s.State().Terminal() {
			delete(m.sessions, s.id)
			m.order = slices.Delete(m.order, i, i+1)
			ended--
			continue
		}
		i++
	}
}

// acquire waits for a training slot for s, in arrival order.
func (m *Manager) acquire(ctx context.Context, s *Session) error {
	m.mu.Lock()
	if m.running < m.opt.MaxRunning && len(m.queue) == 0 {
		m.running++
		m.mu.Unlock()
		return nil
	}
	w := waiter{s: s, ready: make(chan struct{})}
	m.queue = append(m.queue, w)
	m.positionsLocked()
	m.mu.Unlock()
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		m.mu.Lock()
		defer m.mu.Unlock()
		if i := slices.IndexFunc(m.queue, func(x waiter) bool { return x.s == s }); i >= 0 {
			m.queue = slices.Delete(m.queue, i, i+1)
			m.positionsLocked()
			return ctx.Err()
		}
		// The slot was handed over just as we gave up: pass it on.
		m.releaseLocked()
		return ctx.Err()
	}
}

// release gives a slot back, to the first waiter if there is one.
func (m *Manager) release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.releaseLocked()
}

func (m *Manager) releaseLocked() {
	if len(m.queue) > 0 {
		w := m.queue[0]
		m.queue = m.queue[1:]
		close(w.ready)
		m.positionsLocked()
		return
	}
	m.running--
}

func (m *Manager) positionsLocked() {
	for i, w := range m.queue {
		w.s.setQueuePosition(i + 1)
	}
}

// Stats is a summary of the manager's load and limits, for /healthz.
type Stats struct {
	Sessions    int    `json:"sessions"`
	Running     int    `json:"running"`
	Queued      int    `json:"queued"`
	Computing   int    `json:"computing"` // running and not paused
	Cores       int    `json:"cores"`
	MaxRunning  int    `json:"max_running"`
	MaxQueued   int    `json:"max_queued"`
	MaxFinished int    `json:"max_finished"`
	Limits      Limits `json:"limits"`
}

// Stats returns the current load and limits.
func (m *Manager) Stats() Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return Stats{Sessions: len(m.sessions), Running: m.running, Queued: len(m.queue),
		Computing: int(m.cpu.active.Load()), Cores: m.cpu.cores, MaxRunning: m.opt.MaxRunning,
		MaxQueued: m.opt.MaxQueued, MaxFinished: m.opt.MaxFinished, Limits: m.lim}
}

// Shutdown stops every training and waits for them to publish their final
// state, or for ctx to end.
func (m *Manager) Shutdown(ctx context.Context) error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	m.stop(errShutdown)
	done := make(chan struct{})
	go func() {
		m.wg.Wait()
		m.waitHubs()
		close(done)
	}()
	select {
	case <-done:
		m.closeStore()
		return nil
	case <-ctx.Done():
		m.closeStore()
		return ctx.Err()
	}
}

func newID() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

func newToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
