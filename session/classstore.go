package session

import (
	"context"
	"time"
)

// ClassStore keeps classes across restarts. It is deliberately narrow: a
// class is small (bounded students and runs), changes only when a person
// acts (create, join, start, open/close, a run ending), and is written
// whole, so an implementation stores one record per class. A nil ClassStore
// keeps classes in memory only.
type ClassStore interface {
	// PutClass inserts or replaces the class with r.ID.
	PutClass(ctx context.Context, r ClassRecord) error
	// Classes returns every kept class, oldest first.
	Classes(ctx context.Context) ([]ClassRecord, error)
}

// ClassRecord is everything kept about a class. Keys are kept as SHA-256
// hashes, never in the clear.
type ClassRecord struct {
	ID          string
	Name        string
	Code        string // canonical join code, "K7Q-4XP"
	TeacherHash []byte
	Lesson      Lesson
	Open        bool
	Addr        string // the address that created it (for the per-address bound)
	CreatedAt   time.Time
	Students    []StudentRecord
	Runs        []ClassRunRecord
}

// StudentRecord is one student of a kept class.
type StudentRecord struct {
	Name     string
	KeyHash  []byte
	JoinedAt time.Time
}

// ClassRunRecord is one run of a kept class: enough to list it and to
// write the class's results even when the session itself is gone.
type ClassRunRecord struct {
	SessionID string
	Student   string
	Config    Config
	CreatedAt time.Time
	State     State    // the last state seen
	TestLoss  *float64 // the last test loss seen
	PCA       *float64 // PCA test MSE at the same width, once known
	Seconds   float64  // training time, once ended
}
