package session

import (
	"slices"
	"sync"
	"time"
)

// Class is one class: see ClassBook. Its methods are safe for concurrent
// use.
type Class struct {
	book    *ClassBook
	id      string
	name    string
	code    string
	lesson  Lesson
	teacher Owner // the hash of the teacher's key
	addr    string
	created time.Time
	hub     *classHub

	persistMu sync.Mutex // orders this replica's changes of the class (classsync.go)

	mu       sync.Mutex
	version  int64 // of the record this copy reflects (0 without a store)
	open     bool
	students []*Student
	byName   map[string]*Student // by nameKey
	runs     []*ClassRun
	holds    []RunHold // places kept for runs being started (classhold.go)
}

// Student is one member of a class.
type Student struct {
	Name     string    `json:"name"`
	JoinedAt time.Time `json:"joined_at"`
	owner    Owner
}

// ClassRun is one run started in a class.
type ClassRun struct {
	SessionID string
	Student   string
	Config    Config
	CreatedAt time.Time
	State     State
	TestLoss  *float64
	PCA       *float64
	Seconds   float64
	follower  string // the replica responsible for its figures (ClassRunRecord.Follower)
}

// ClassInfo is the public description of a class: no keys.
type ClassInfo struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Code      string    `json:"code"`
	Open      bool      `json:"open"`
	Lesson    Lesson    `json:"lesson"`
	CreatedAt time.Time `json:"created_at"`
	Students  int       `json:"students"`
	Runs      int       `json:"runs"`
}

// ID returns the class's identifier.
func (c *Class) ID() string { return c.id }

// Name returns the class's name.
func (c *Class) Name() string { return c.name }

// Code returns the class's join code.
func (c *Class) Code() string { return c.code }

// Lesson returns the class's preset.
func (c *Class) Lesson() Lesson { return c.lesson }

// Info returns the class's public description.
func (c *Class) Info() ClassInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.infoLocked()
}

func (c *Class) infoLocked() ClassInfo {
	return ClassInfo{ID: c.id, Name: c.name, Code: c.code, Open: c.open, Lesson: c.lesson, CreatedAt: c.created,
		Students: len(c.students), Runs: len(c.runs)}
}

// Students returns the class's students in the order they joined.
func (c *Class) Students() []Student {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Student, len(c.students))
	for i, s := range c.students {
		out[i] = *s
	}
	return out
}

// Runs returns the class's runs, oldest first.
func (c *Class) Runs() []ClassRun {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]ClassRun, len(c.runs))
	for i, r := range c.runs {
		out[i] = *r
	}
	return out
}

// AuthorizeTeacher checks that o is the teacher.
func (c *Class) AuthorizeTeacher(o Owner) error {
	if o.IsZero() {
		return Errorf(EUnauthorized, "this action needs the class's teacher token (Authorization: Bearer <teacher_token>), or the browser that created the class")
	}
	if !c.teacher.Is(o) {
		return Errorf(EForbidden, "only the teacher of class %s may do this", c.id)
	}
	return nil
}

// IsTeacher reports whether o is the teacher.
func (c *Class) IsTeacher(o Owner) bool { return c.teacher.Is(o) }

// StudentOf returns the name of the student o is.
func (c *Class) StudentOf(o Owner) (string, bool) {
	if o.IsZero() {
		return "", false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.students {
		if s.owner.Is(o) {
			return s.Name, true
		}
	}
	return "", false
}

// SetOpen opens the class to new students and runs, or closes it.
// Running trainings carry on either way. Closing frees the class's place
// under MaxClasses; opening it again takes one (ClassLiveWindow), and is
// refused when the book already counts MaxClasses open classes (with a
// shared store, as this replica knows them).
func (c *Class) SetOpen(open bool) error {
	return c.change(func(r *ClassRecord) (bool, error) {
		if r.Open == open {
			return false, nil
		}
		if b := c.book; open && time.Since(c.created) < ClassLiveWindow {
			b.mu.Lock()
			n := b.liveLocked(time.Now(), c)
			b.mu.Unlock()
			if n >= b.lim.MaxClasses {
				return false, b.tooMany()
			}
		}
		r.Open = open
		return true, nil
	})
}

// NameTaken is the error of a join whose name another student has; its
// Suggestion is a free one.
type NameTaken struct {
	Err        *Error
	Suggestion string
}

// Error implements error.
func (e *NameTaken) Error() string { return e.Err.Error() }

// Unwrap gives the *Error, whose code is EConflict.
func (e *NameTaken) Unwrap() error { return e.Err }

// Join adds a student called name who is o (a browser's owner, say). When
// o is zero a fresh student token is made and returned; it is the only time
// it is shown. An owner who has already joined gets its student back
// (existing true), whatever name it gives now.
func (c *Class) Join(name string, o Owner) (student, token string, existing bool, err error) {
	name, err = cleanName(name, "name", MaxNameLen)
	if err != nil {
		return "", "", false, err
	}
	if n, ok := c.StudentOf(o); ok {
		return n, "", true, nil
	}
	if o.IsZero() {
		token = newToken()
		o = OwnerOf(token)
	}
	// Checked against the kept class: a change made on another replica
	// (closed, full, the name taken) makes the write fail and be tried
	// again on the class as it now is.
	err = c.change(func(r *ClassRecord) (bool, error) {
		for _, s := range r.Students {
			if ownerFromHash(s.KeyHash).Is(o) {
				student, token, existing = s.Name, "", true
				return false, nil
			}
		}
		taken := func(k string) bool {
			return slices.ContainsFunc(r.Students, func(s StudentRecord) bool { return nameKey(s.Name) == k })
		}
		switch {
		case !r.Open:
			return false, Errorf(EForbidden, "the class %s is closed to new students: ask your teacher to open it", c.name)
		case len(r.Students) >= c.book.lim.MaxStudents:
			return false, Errorf(EForbidden, "the class %s is full (%d students)", c.name, c.book.lim.MaxStudents)
		case taken(nameKey(name)):
			sug := suggestName(name, taken)
			return false, &NameTaken{Err: &Error{Code: EConflict, Field: "name",
				Message: "someone in this class is already called " + name + ": try " + sug}, Suggestion: sug}
		}
		r.Students = append(r.Students, StudentRecord{Name: name, KeyHash: slices.Clone(o[:]), JoinedAt: time.Now().UTC()})
		student, existing = name, false
		return true, nil
	})
	if err != nil {
		return "", "", false, err
	}
	return student, token, existing, nil
}

// StartRun starts a training for the student o: the lesson applied to req
// (present lists the JSON fields the request gave). It returns the session
// and its owner token; the student owns it too.
func (c *Class) StartRun(o Owner, req Config, present map[string]bool) (*Session, string, error) {
	return c.StartRunFrom("", o, req, present)
}

// StartRunFrom is StartRun asked from the address addr: the run is admitted
// by the manager's door as one start of that address (its rate token, its
// share of the queue).
func (c *Class) StartRunFrom(addr string, o Owner, req Config, present map[string]bool) (*Session, string, error) {
	student, ok := c.StudentOf(o)
	if !ok {
		if o.IsZero() {
			return nil, "", Errorf(EUnauthorized, "starting a run in a class needs the student token from POST /api/join (Authorization: Bearer <student_token>)")
		}
		return nil, "", Errorf(EForbidden, "this token is not a student's of class %s: join it first", c.id)
	}
	cfg, fe := c.lesson.Apply(req, present)
	if err := fe.Err(); err != nil {
		return nil, "", err
	}
	c.sync() // a teacher may have closed it through another replica
	// A place is kept in the class first (an exact bound: checked on the
	// record being written), then the training started, then the run
	// written in its place.
	hold, err := c.hold()
	if err != nil {
		return nil, "", err
	}
	st, err := c.book.m.Start(addr, cfg)
	if err != nil {
		c.release(hold, nil)
		return nil, "", err
	}
	s, token := st[0].Session, st[0].Token
	s.SetOwner(o)
	c.release(hold, &ClassRunRecord{SessionID: s.ID(), Student: student, Config: s.Config(), CreatedAt: time.Now().UTC(),
		State: Queued, Follower: c.book.self})
	return s, token, nil
}

// run returns this copy's record of run id.
func (c *Class) run(id string) (ClassRun, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.runs {
		if r.SessionID == id {
			return *r, true
		}
	}
	return ClassRun{}, false
}

// RunStudent returns the student who started session id in this class.
func (c *Class) RunStudent(id string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.runs {
		if r.SessionID == id {
			return r.Student, true
		}
	}
	return "", false
}

// AuthorizeRun checks that o may control run id of this class: the
// teacher, or the student who started it.
func (c *Class) AuthorizeRun(id string, o Owner) error {
	if c.IsTeacher(o) {
		return nil
	}
	owner, ok := c.RunStudent(id)
	if !ok {
		return Errorf(ENotFound, "session %s is not a run of class %s", id, c.id)
	}
	if name, ok := c.StudentOf(o); ok && name == owner {
		return nil
	}
	if o.IsZero() {
		return Errorf(EUnauthorized, "this action needs the session's owner token, its student's token or the teacher's")
	}
	return Errorf(EForbidden, "this token may not control %s's run: only %s and the teacher may", owner, owner)
}

// updateRun records what the class hub saw of a run: its PCA figure, and
// its final state once its stream ended (every replica following the run
// sees it; the first writes it, the others find it written). A state that
// is not final (a mirror cut by this replica's shutdown) is not recorded,
// nor an interruption over a proper end.
func (c *Class) updateRun(t *RunTile, ended bool) {
	_ = c.change(func(r *ClassRecord) (bool, error) {
		changed := false
		for i := range r.Runs {
			x := &r.Runs[i]
			if x.SessionID != t.ID {
				continue
			}
			if t.PCA != nil && (x.PCA == nil || *x.PCA != *t.PCA) {
				x.PCA, changed = t.PCA, true
			}
			final := x.State.Terminal() && x.State != Interrupted
			if ended && t.State.Terminal() && x.State != t.State && !(final && t.State == Interrupted) {
				x.State, x.TestLoss, x.Seconds, changed = t.State, t.TestLoss, t.Seconds, true
			}
		}
		return changed, nil
	})
}

// record is the class as kept in the store.
func (c *Class) record() ClassRecord {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := ClassRecord{ID: c.id, Name: c.name, Code: c.code, TeacherHash: slices.Clone(c.teacher[:]), Lesson: c.lesson, Open: c.open,
		Addr: c.addr, CreatedAt: c.created, Version: c.version}
	for _, s := range c.students {
		r.Students = append(r.Students, StudentRecord{Name: s.Name, KeyHash: slices.Clone(s.owner[:]), JoinedAt: s.JoinedAt})
	}
	for _, x := range c.runs {
		r.Runs = append(r.Runs, ClassRunRecord{SessionID: x.SessionID, Student: x.Student, Config: x.Config,
			CreatedAt: x.CreatedAt, State: x.State, TestLoss: x.TestLoss, PCA: x.PCA, Seconds: x.Seconds, Follower: x.follower})
	}
	r.Holds = slices.Clone(c.holds)
	return r
}

// classFromRecord makes the copy of a kept class, without students or
// runs: apply adds them (and follows the runs).
func classFromRecord(b *ClassBook, r ClassRecord) *Class {
	return &Class{book: b, id: r.ID, name: r.Name, code: r.Code, lesson: r.Lesson, teacher: ownerFromHash(r.TeacherHash),
		addr: r.Addr, created: r.CreatedAt, open: r.Open, byName: map[string]*Student{}}
}
