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

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/datasets"
)

// Options configure a Manager. The zero value of every field is a sane
// default for a classroom server (see NewManager).
type Options struct {
	Datasets    *datasets.Registry
	Limits      Limits       // zero → DefaultLimits()
	MaxRunning  int          // trainings that run at once; more wait in a queue (0 → 32)
	MaxQueued   int          // trainings that may wait; more are refused (0 → 64)
	MaxFinished int          // ended sessions kept for viewing; the oldest beyond it are forgotten (0 → 500)
	Logger      *slog.Logger // nil → slog.Default()
	Cores       int          // CPU slots of the one pool (0 → GOMAXPROCS)
	// Store keeps sessions across restarts (nil: memory only). Call
	// Restore once after NewManager to bring back what it holds.
	Store Store
	// MaxStoreBytes bounds the store (Store.Trim); 0 means no bound.
	MaxStoreBytes int64
	// MaxPerAddress bounds the trainings one address may have queued,
	// running or paused at once (0 → half of MaxRunning + MaxQueued).
	MaxPerAddress int
	// MaxMemory is the memory budget in bytes of everything admitted at
	// once (0 → MemoryShare of the machine's or container's memory).
	MaxMemory int64
	// CoreGFLOPS is the speed of one core assumed by the cost checks
	// (0 → AssumedCoreGFLOPS()).
	CoreGFLOPS float64
	// MaxCoreMinutes bounds the arithmetic of one training, in minutes of
	// one core at CoreGFLOPS (0 → DefaultMaxCoreMinutes).
	MaxCoreMinutes int
	// Cluster, when set, shares the trainings with other replicas
	// (cluster.go); nil keeps them in this process.
	Cluster *Cluster
	// Rate limits per address, by kind of action; a zero value means the
	// default, a negative Burst no limit.
	StartLimit, UploadLimit, AnalysisLimit, ViewLimit, JoinLimit RateLimit
	// StartLimiter keeps the start limit's buckets (of StartLimit): nil
	// means in this process; internal/sharedlimit shares them across
	// replicas.
	StartLimiter Limiter
}

// Manager creates sessions, schedules their trainings and finds them again.
// It owns the door (door.go) through which every piece of work is
// admitted. It is safe for concurrent use.
type Manager struct {
	count   counters // running totals for the metrics (counters.go)
	reg     *datasets.Registry
	lim     Limits
	opt     Options
	log     *slog.Logger
	cpu     *cpuPool
	scratch *ae.ScratchPool // trainings' gradients and batch buffers between CPU turns (scratch.go)
	limiter *limiter
	base    context.Context
	stop    context.CancelCauseFunc
	wg      sync.WaitGroup

	mu        sync.Mutex
	sessions  map[string]*Session
	order     []*Session // by creation
	rec       *recorder  // nil without a store
	running   int
	queue     []*ticket
	live      map[string]int       // trainings queued, running or paused, by address
	replaced  []*remoteRun         // mirrors replaced by a training here, still following its run (jobs.go)
	runningBy map[string]int       // running trainings, by address
	workBy    map[string]int       // other work admitted or waiting, by address
	memUsed   int64                // bytes reserved by everything admitted
	memShared int64                // of memUsed, what the trainings holding memory hold together (sharedMemory)
	held      map[*ticket]struct{} // the trainings holding memory
	stores    []*ComparisonStore
	kfHeld    []*Session   // without a store: ended runs holding keyframes in memory, oldest first
	early     earlyWeights // copies of small runs' weights before their first epoch's end (earlyweights.go)
	closed    bool

	fetches    chan struct{} // weights fetched from other replicas at once (liveweights.go)
	serving    chan struct{} // answers about weights computed for other replicas at once (liveweights.go)
	reloadOnce sync.Once
	reloaded   *lru.Cache[string, *Session] // kept sessions loaded back on demand (runs.go)
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
	if opt.MaxPerAddress <= 0 {
		opt.MaxPerAddress = max(1, (opt.MaxRunning+opt.MaxQueued)/2)
	}
	if opt.MaxFinished <= 0 {
		opt.MaxFinished = 500
	}
	if opt.MaxMemory <= 0 {
		opt.MaxMemory = DefaultMaxMemory()
	}
	if opt.CoreGFLOPS <= 0 {
		opt.CoreGFLOPS = AssumedCoreGFLOPS()
	}
	if opt.MaxCoreMinutes <= 0 {
		opt.MaxCoreMinutes = DefaultMaxCoreMinutes
	}
	rates := [rateClasses]RateLimit{rateStart: opt.StartLimit, rateUpload: opt.UploadLimit, rateAnalysis: opt.AnalysisLimit,
		rateView: opt.ViewLimit, rateJoin: opt.JoinLimit}
	defaults := [rateClasses]RateLimit{rateStart: DefaultStartLimit, rateUpload: DefaultUploadLimit, rateAnalysis: DefaultAnalysisLimit,
		rateView: DefaultViewLimit, rateJoin: DefaultJoinLimit}
	for i := range rates {
		if rates[i] == (RateLimit{}) {
			rates[i] = defaults[i]
		}
	}
	opt.StartLimit, opt.UploadLimit, opt.AnalysisLimit, opt.ViewLimit, opt.JoinLimit = rates[rateStart], rates[rateUpload], rates[rateAnalysis], rates[rateView], rates[rateJoin]
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	base, stop := context.WithCancelCause(context.Background())
	m := &Manager{reg: opt.Datasets, cpu: newCPUPool(opt.Cores), scratch: ae.NewScratchPool(0), held: map[*ticket]struct{}{}, limiter: newLimiter(rates), lim: opt.Limits, opt: opt, log: opt.Logger,
		base: base, stop: stop, sessions: make(map[string]*Session), live: make(map[string]int), runningBy: make(map[string]int),
		workBy: make(map[string]int), fetches: make(chan struct{}, maxFetches), serving: make(chan struct{}, maxServes)}
	if opt.StartLimiter != nil {
		m.limiter.start = opt.StartLimiter
	}
	if opt.Store != nil {
		m.rec = newRecorder(opt.Store, opt.MaxStoreBytes, opt.Logger)
		m.rec.onKeyframes = m.keyframesWritten
		m.keepUploads()
	}
	return m
}

// Limits returns the bounds that configurations are checked against.
func (m *Manager) Limits() Limits { return m.lim }

// Datasets returns the registry sessions train on.
func (m *Manager) Datasets() *datasets.Registry { return m.reg }

// Get returns the session with the given id.
func (m *Manager) Get(id string) (*Session, error) {
	m.mu.Lock()
	s, ok := m.sessions[id]
	m.mu.Unlock()
	if ok {
		return s, nil
	}
	if s, err := m.fromCluster(id); s != nil || err != nil { // a live run of another replica
		return s, err
	}
	if s := m.fromStore(id); s != nil { // an older run the store keeps
		return s, nil
	}
	return nil, Errorf(ENotFound, "there is no session %q (it may have ended long ago and been forgotten)", truncate(id, 40))
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
		if s.State().Terminal() && !s.following() {
			delete(m.sessions, s.id)
			m.order = slices.Delete(m.order, i, i+1)
			ended--
			continue
		}
		i++
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

// Closing reports whether Shutdown has begun: the server admits no more
// work, and a readiness check should send no one to it.
func (m *Manager) Closing() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closed
}
