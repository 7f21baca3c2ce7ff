package session

import (
	"context"
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

	persistMu sync.Mutex // orders writes of this class to the store

	mu       sync.Mutex
	open     bool
	students []*Student
	byName   map[string]*Student // by nameKey
	runs     []*ClassRun
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
// Running trainings carry on either way.
func (c *Class) SetOpen(open bool) {
	c.mu.Lock()
	changed := c.open != open
	c.open = open
	info := c.infoLocked()
	c.mu.Unlock()
	if changed {
		c.hub.publish(classEvent{class: &info})
		c.persistLog()
	}
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
	c.mu.Lock()
	switch {
	case !c.open:
		c.mu.Unlock()
		return "", "", false, Errorf(EForbidden, "the class %s is closed to new students: ask your teacher to open it", c.name)
	case len(c.students) >= c.book.lim.MaxStudents:
		c.mu.Unlock()
		return "", "", false, Errorf(EForbidden, "the class %s is full (%d students)", c.name, c.book.lim.MaxStudents)
	case c.byName[nameKey(name)] != nil:
		sug := suggestName(name, func(k string) bool { return c.byName[k] != nil })
		c.mu.Unlock()
		return "", "", false, &NameTaken{Err: &Error{Code: EConflict, Field: "name",
			Message: "someone in this class is already called " + name + ": try " + sug}, Suggestion: sug}
	}
	s := &Student{Name: name, JoinedAt: time.Now().UTC(), owner: o}
	c.students = append(c.students, s)
	c.byName[nameKey(name)] = s
	n := len(c.students)
	c.mu.Unlock()
	c.hub.publish(classEvent{student: &StudentMsg{Student: *s, Students: n}})
	c.persistLog()
	return name, token, false, nil
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
	c.mu.Lock()
	switch {
	case !c.open:
		c.mu.Unlock()
		return nil, "", Errorf(EForbidden, "the class %s is closed: your teacher has stopped new runs", c.name)
	case len(c.runs) >= c.book.lim.MaxRuns:
		c.mu.Unlock()
		return nil, "", Errorf(EConflict, "the class %s has %d runs, the most it may keep: ask your teacher for a new class", c.name, c.book.lim.MaxRuns)
	}
	// Hold the slot while the session is created, so that the bound holds.
	run := &ClassRun{Student: student, CreatedAt: time.Now().UTC(), State: Queued}
	c.runs = append(c.runs, run)
	c.mu.Unlock()
	var s *Session
	var token string
	st, err := c.book.m.Start(addr, cfg)
	if err == nil {
		s, token = st[0].Session, st[0].Token
	}
	c.mu.Lock()
	if err != nil {
		c.runs = slices.DeleteFunc(c.runs, func(r *ClassRun) bool { return r == run })
		c.mu.Unlock()
		return nil, "", err
	}
	s.SetOwner(o)
	run.SessionID, run.Config = s.ID(), s.Config()
	cp := *run
	c.mu.Unlock()
	c.book.mu.Lock()
	c.book.byRun[s.ID()] = c
	c.book.mu.Unlock()
	c.hub.watch(cp)
	c.persistLog()
	return s, token, nil
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

// updateRun records what the class hub saw of a run; ended runs are kept.
func (c *Class) updateRun(t *RunTile, ended bool) {
	c.mu.Lock()
	changed := false
	for _, r := range c.runs {
		if r.SessionID != t.ID {
			continue
		}
		if t.PCA != nil && (r.PCA == nil || *r.PCA != *t.PCA) {
			r.PCA, changed = t.PCA, true
		}
		if ended && r.State != t.State {
			r.State, r.TestLoss, r.Seconds, changed = t.State, t.TestLoss, t.Seconds, true
		}
	}
	c.mu.Unlock()
	if changed {
		c.persistLog()
	}
}

// record is the class as kept in the store.
func (c *Class) record() ClassRecord {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := ClassRecord{ID: c.id, Name: c.name, Code: c.code, TeacherHash: c.teacher[:], Lesson: c.lesson, Open: c.open,
		Addr: c.addr, CreatedAt: c.created}
	for _, s := range c.students {
		r.Students = append(r.Students, StudentRecord{Name: s.Name, KeyHash: s.owner[:], JoinedAt: s.JoinedAt})
	}
	for _, x := range c.runs {
		if x.SessionID == "" {
			continue // being created
		}
		r.Runs = append(r.Runs, ClassRunRecord{SessionID: x.SessionID, Student: x.Student, Config: x.Config,
			CreatedAt: x.CreatedAt, State: x.State, TestLoss: x.TestLoss, PCA: x.PCA, Seconds: x.Seconds})
	}
	return r
}

func classFromRecord(b *ClassBook, r ClassRecord) *Class {
	c := &Class{book: b, id: r.ID, name: r.Name, code: r.Code, lesson: r.Lesson, teacher: ownerFromHash(r.TeacherHash),
		addr: r.Addr, created: r.CreatedAt, open: r.Open, byName: map[string]*Student{}}
	for _, s := range r.Students {
		st := &Student{Name: s.Name, JoinedAt: s.JoinedAt, owner: ownerFromHash(s.KeyHash)}
		c.students = append(c.students, st)
		c.byName[nameKey(s.Name)] = st
	}
	for _, x := range r.Runs {
		c.runs = append(c.runs, &ClassRun{SessionID: x.SessionID, Student: x.Student, Config: x.Config,
			CreatedAt: x.CreatedAt, State: x.State, TestLoss: x.TestLoss, PCA: x.PCA, Seconds: x.Seconds})
	}
	return c
}

// persist writes the class to the store, if there is one.
func (c *Class) persist() error {
	st := c.book.opt.Store
	if st == nil {
		return nil
	}
	c.persistMu.Lock()
	defer c.persistMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return st.PutClass(ctx, c.record())
}

func (c *Class) persistLog() {
	if err := c.persist(); err != nil {
		c.book.log.Error("keep class", "class", c.id, "err", err)
	}
}
