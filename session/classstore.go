package session

import (
	"context"
	"errors"
	"time"
)

// ClassStore keeps classes across restarts and shares them between the
// replicas of a cluster. A class is small (bounded students and runs),
// changes only when a person acts (create, join, start, open/close, a run
// ending), and is written whole, so an implementation stores one record
// per class with a version: a write names the version it was read at and
// fails (ErrClassChanged) if another writer got there first, so that two
// replicas changing one class at once lose nothing (each reads it again,
// applies its change again and retries). A nil ClassStore keeps classes in
// memory only.
type ClassStore interface {
	// CreateClass keeps the new class r at version 1 unless the store
	// already keeps maxTotal open classes created in the ClassLiveWindow
	// before r.CreatedAt (ErrClassLimit) or maxPerAddr classes
	// created by r.Addr in the ClassAddrWindow before r.CreatedAt
	// (ErrClassAddrLimit), or another class has r.ID or
	// r.Code (ErrClassTaken). The check and the insert are one atomic
	// step, so the bounds hold for every replica sharing the store.
	CreateClass(ctx context.Context, r ClassRecord, maxTotal, maxPerAddr int) error
	// UpdateClass replaces class r.ID if its kept version is still
	// r.Version, and returns the new version. It fails with
	// ErrClassChanged if another writer changed the class since, and with
	// ErrClassMissing if there is no such class.
	UpdateClass(ctx context.Context, r ClassRecord) (int64, error)
	// Class returns the class with the given id, or ErrClassMissing.
	Class(ctx context.Context, id string) (ClassRecord, error)
	// ClassByCode returns the class with the given canonical join code
	// ("K7Q-4XP"), or ErrClassMissing.
	ClassByCode(ctx context.Context, code string) (ClassRecord, error)
	// Classes returns every kept class, oldest first.
	Classes(ctx context.Context) ([]ClassRecord, error)
}

// Errors of a ClassStore.
var (
	// ErrClassChanged: the class was changed by another writer since the
	// version the write was based on.
	ErrClassChanged = errors.New("the class was changed by another writer")
	// ErrClassMissing: no class has that id or code.
	ErrClassMissing = errors.New("no such class")
	// ErrClassTaken: another class has the id or the join code.
	ErrClassTaken = errors.New("another class has this id or join code")
	// ErrClassLimit: the store keeps as many classes as it may.
	ErrClassLimit = errors.New("the store keeps as many classes as it may")
	// ErrClassAddrLimit: the creator's address has created as many classes
	// as it may.
	ErrClassAddrLimit = errors.New("this address has created as many classes as it may")
)

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
	// Holds are the places kept for runs being started (StartRun): each
	// counts against the class's runs until its run replaces it or it
	// expires.
	Holds []RunHold `json:",omitempty"`
	// Version counts the writes of the class (1 once created); it is kept
	// beside the record, not in it.
	Version int64 `json:"-"`
}

// StudentRecord is one student of a kept class.
type StudentRecord struct {
	Name     string
	KeyHash  []byte
	JoinedAt time.Time
}

// RunHold is a place kept in a class for a run being started, until the
// run replaces it or Until passes (its replica died meanwhile).
type RunHold struct {
	ID    string
	Until time.Time
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
	// Follower names the replica responsible for the run's class figures
	// (its PCA baseline, its result written here): the one it was started
	// through (classfollow.go). Empty in records kept before it was.
	Follower string `json:",omitempty"`
}
