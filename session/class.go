package session

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// A class is a room of students training autoencoders under one teacher: a
// name, an optional lesson (a preset configuration, some of whose fields are
// locked or hidden), a join code, the students by display name, and their
// runs. The teacher's key and the students' keys are kept as hashes.

// ClassAddrWindow is the time over which MaxPerAddr counts the classes an
// address creates: a school's teachers share its address, and lessons go
// on all year (counted for good, the 21st class of a school was refused
// forever, a restart included).
const ClassAddrWindow = 24 * time.Hour

// ClassLiveWindow is how long after its creation an open class counts
// against MaxClasses. A closed class does not count (its results stay
// readable), nor does one left open for longer (it keeps working): the
// bound is on the classes in use, and classes counted for good locked the
// server once 200 had ever been created, a restart included.
const ClassLiveWindow = 7 * 24 * time.Hour

// ClassLimits bound what classes may take, in total and per creator.
type ClassLimits struct {
	MaxClasses  int // open classes created in the last ClassLiveWindow
	MaxPerAddr  int // classes one address may create in ClassAddrWindow
	MaxStudents int // students per class
	MaxRuns     int // runs per class
}

// DefaultClassLimits suit a school server.
func DefaultClassLimits() ClassLimits {
	return ClassLimits{MaxClasses: 200, MaxPerAddr: 20, MaxStudents: 200, MaxRuns: 500}
}

// ClassOptions configure a ClassBook.
type ClassOptions struct {
	Store  ClassStore  // nil: classes live in memory only
	Limits ClassLimits // zero: DefaultClassLimits
	// PCA computes the PCA baseline of a configuration (the same figure as
	// a comparison's); nil leaves the class's PCA column empty.
	PCA func(ctx context.Context, c Config) Baseline
	// Events shares the classes with the other replicas of a cluster
	// (classsync.go; needs the Store they share). Nil: this book's copies
	// change only through this book, as on a single server.
	Events ClassEvents
	Logger *slog.Logger
}

// ClassBook creates classes, finds them by id and join code, and restores
// them from its store. It is safe for concurrent use.
type ClassBook struct {
	m      *Manager
	opt    ClassOptions
	lim    ClassLimits
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // class hubs and run followers
	pcaWG  sync.WaitGroup // PCA baselines (a fit cannot be interrupted)

	// self names this book among the replicas sharing its classes: a run
	// started through it is its to figure (classfollow.go).
	self string
	// takeover is how long after a run's end a replica not responsible
	// for it waits before doing what the responsible one has not.
	takeover time.Duration

	// With a cluster: the announcements of class changes (classsync.go).
	events  ClassEvents
	unwatch func()
	kick    chan struct{}

	mu     sync.Mutex
	byID   map[string]*Class
	byCode map[string]*Class
	byRun  map[string]*Class
	due    map[string]int64 // classes announced changed, for the refresher
	closed bool
}

// NewClassBook returns an empty book for the sessions of m. Call Restore to
// load the classes of its store.
func NewClassBook(m *Manager, opt ClassOptions) *ClassBook {
	if opt.Limits == (ClassLimits{}) {
		opt.Limits = DefaultClassLimits()
	}
	if opt.Logger == nil {
		opt.Logger = m.log
	}
	ctx, cancel := context.WithCancel(context.Background())
	b := &ClassBook{m: m, opt: opt, lim: opt.Limits, log: opt.Logger, ctx: ctx, cancel: cancel, kick: make(chan struct{}, 1),
		self: newID(), takeover: classTakeover,
		byID: map[string]*Class{}, byCode: map[string]*Class{}, byRun: map[string]*Class{},
		due: map[string]int64{}}
	if opt.Events != nil && opt.Store != nil {
		stop, err := opt.Events.WatchClasses(b.heard)
		if err != nil {
			b.log.Error("classes: cannot hear the other replicas' changes; each replica keeps its own copy", "err", err)
		} else {
			b.events, b.unwatch = opt.Events, stop
			b.wg.Add(2)
			go b.refresher()
			go b.resyncer()
		}
	}
	return b
}

// Limits returns the book's bounds.
func (b *ClassBook) Limits() ClassLimits { return b.lim }

// NewClass is what a teacher asks for.
type NewClass struct {
	Name   string   `json:"name"`
	Preset *Config  `json:"preset,omitempty"`
	Locked []string `json:"locked,omitempty"`
	Hidden []string `json:"hidden,omitempty"`
}

// Create validates req and opens a new class for teacher (the owner of a
// browser's key, say). When teacher is zero a fresh teacher token is made
// and returned; it is the only time it is shown.
func (b *ClassBook) Create(addr string, req NewClass, teacher Owner) (*Class, string, error) {
	name, err := cleanName(req.Name, "name", MaxClassNameLen)
	if err != nil {
		return nil, "", err
	}
	lesson, fe := b.checkLesson(req)
	if err := fe.Err(); err != nil {
		return nil, "", err
	}
	token := ""
	if teacher.IsZero() {
		token = newToken()
		teacher = OwnerOf(token)
	}
	c := &Class{book: b, id: newID(), code: newJoinCode(), name: name, lesson: lesson, teacher: teacher, open: true,
		addr: addr, created: time.Now().UTC(), byName: map[string]*Student{}}
	c, err = b.keepNew(c)
	if err != nil {
		return nil, "", err
	}
	b.announce(c.id, c.version)
	b.log.Info("class created", "class", c.id, "code", c.code)
	return c, token, nil
}

var errShuttingDown = Errorf(EUnavailable, "the server is shutting down; try again in a minute")

// keepNew checks the bounds and adds the new class c to the book, kept in
// the store when there is one (which counts every replica's classes and
// checks the bounds with the insert), else in this book only.
func (b *ClassBook) keepNew(c *Class) (*Class, error) {
	tooMany := b.tooMany()
	addrFull := Errorf(EConflict, "your address has created %d classes in the last %d hours, the most allowed: reuse one of them, or create it tomorrow", b.lim.MaxPerAddr, int(ClassAddrWindow.Hours()))
	st := b.opt.Store
	b.mu.Lock()
	switch {
	case b.closed:
		b.mu.Unlock()
		return nil, errShuttingDown
	case st == nil && b.liveLocked(c.created, nil) >= b.lim.MaxClasses:
		b.mu.Unlock()
		return nil, tooMany
	case st == nil && b.createdByLocked(c.addr, c.created) >= b.lim.MaxPerAddr:
		b.mu.Unlock()
		return nil, addrFull
	}
	for b.byID[c.id] != nil || b.byCode[c.code] != nil {
		c.id, c.code = newID(), newJoinCode()
	}
	if st == nil {
		b.addLocked(c)
		b.mu.Unlock()
		return c, nil
	}
	b.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), classIO)
	defer cancel()
	for try := 1; ; try++ {
		err := st.CreateClass(ctx, c.record(), b.lim.MaxClasses, b.lim.MaxPerAddr)
		switch {
		case err == nil:
			c.version = 1
			b.mu.Lock()
			defer b.mu.Unlock()
			if b.closed {
				return nil, errShuttingDown
			}
			if known := b.byID[c.id]; known != nil {
				return known, nil // read back from the store meanwhile (Get)
			}
			b.addLocked(c)
			return c, nil
		case errors.Is(err, ErrClassLimit):
			return nil, tooMany
		case errors.Is(err, ErrClassAddrLimit):
			return nil, addrFull
		case errors.Is(err, ErrClassTaken) && try < classTries:
			c.id, c.code = newID(), newJoinCode()
		default:
			b.log.Error("keep new class", "class", c.id, "err", err)
			return nil, Errorf(EUnavailable, "the class could not be kept; try again in a moment")
		}
	}
}

// tooMany is the refusal of a class over MaxClasses.
func (b *ClassBook) tooMany() error {
	return Errorf(EUnavailable, "this server already has %d open classes, its limit: close a class no longer in use (its results stay readable) and try again",
		b.lim.MaxClasses)
}

// liveLocked counts the classes that count against MaxClasses at now:
// open and created in the ClassLiveWindow before it (but for except).
func (b *ClassBook) liveLocked(now time.Time, except *Class) int {
	n := 0
	for _, c := range b.byID {
		if c == except || now.Sub(c.created) >= ClassLiveWindow {
			continue
		}
		c.mu.Lock() // the book's lock, then a class's (as in classsync.go)
		if c.open {
			n++
		}
		c.mu.Unlock()
	}
	return n
}

// createdByLocked counts the classes addr created in the ClassAddrWindow
// before now (a book without a store: the store counts them otherwise).
func (b *ClassBook) createdByLocked(addr string, now time.Time) int {
	n := 0
	for _, c := range b.byID {
		if c.addr == addr && now.Sub(c.created) < ClassAddrWindow {
			n++
		}
	}
	return n
}

func (b *ClassBook) addLocked(c *Class) {
	b.byID[c.id] = c
	b.byCode[c.code] = c
	c.hub = newClassHub(c)
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		c.hub.run(b.ctx)
	}()
}

// Get returns the class with the given id. With a cluster, a class this
// replica has not heard of is looked for in the shared store.
func (b *ClassBook) Get(id string) (*Class, error) {
	b.mu.Lock()
	c := b.byID[id]
	b.mu.Unlock()
	if c == nil && b.events != nil && validClassID(id) {
		ctx, cancel := context.WithTimeout(context.Background(), classIO)
		c = b.refresh(ctx, id, 0)
		cancel()
	}
	if c != nil {
		return c, nil
	}
	return nil, Errorf(ENotFound, "there is no class %q", truncate(id, 40))
}

// validClassID reports whether id could be a class's (newID: eight
// base32 letters), so that nothing else costs a read of the store.
func validClassID(id string) bool {
	if len(id) != 8 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}

// ByCode returns the class with the given join code, typed in any of the
// forms NormalizeCode accepts.
func (b *ClassBook) ByCode(code string) (*Class, error) {
	n := NormalizeCode(code)
	b.mu.Lock()
	c := b.byCode[n]
	b.mu.Unlock()
	if c == nil && n != "" && b.events != nil {
		ctx, cancel := context.WithTimeout(context.Background(), classIO)
		if r, err := b.opt.Store.ClassByCode(ctx, n); err == nil {
			c = b.adopt(r)
		} else if !errors.Is(err, ErrClassMissing) {
			b.log.Warn("read class by code", "err", err)
		}
		cancel()
	}
	if n != "" && c != nil {
		return c, nil
	}
	return nil, &Error{Code: ENotFound, Field: "code", Message: "no class has the code " + quoteShort(code) + ": check it on the wall (six letters and digits, like K7Q-4XP)"}
}

// OfRun returns the class a session was started in, or nil.
func (b *ClassBook) OfRun(sessionID string) *Class {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.byRun[sessionID]
}

// Restore loads the classes of the store and reattaches their runs to the
// sessions the manager still knows.
func (b *ClassBook) Restore(ctx context.Context) error {
	if b.opt.Store == nil {
		return nil
	}
	recs, err := b.opt.Store.Classes(ctx)
	if err != nil {
		return err
	}
	for _, r := range recs {
		b.adopt(r)
	}
	b.log.Info("classes restored", "classes", len(recs))
	return nil
}

// Close stops every class's live stream and waits for them, then for the
// PCA baselines under way until ctx ends: a fit cannot be interrupted, and
// one still running then is abandoned (it touches nothing kept).
func (b *ClassBook) Close(ctx context.Context) error {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	if b.unwatch != nil {
		b.unwatch()
	}
	b.cancel()
	if err := waitCtx(ctx, &b.wg); err != nil {
		return err
	}
	if waitCtx(ctx, &b.pcaWG) != nil {
		b.log.Warn("a PCA baseline of a class was still computing at shutdown; it is abandoned")
	}
	return nil
}

func waitCtx(ctx context.Context, wg *sync.WaitGroup) error {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ownerFromHash reads a kept hash back (a malformed one owns nothing).
func ownerFromHash(h []byte) Owner {
	var o Owner
	if len(h) == len(o) {
		copy(o[:], h)
	}
	return o
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func quoteShort(s string) string { return "\"" + truncate(s, 20) + "\"" }
