// Package sqlite is the embedded store of aelab: session.Store on one
// SQLite file (through modernc.org/sqlite, pure Go, so the binary needs no
// cgo), in WAL mode, with versioned schema migrations run at open.
package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/aelab/aelab/session"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// FileName is the name of the database file in a data directory.
const FileName = "aelab.db"

// Store is a session.Store on SQLite.
type Store struct {
	db   *sql.DB
	path string
}

var _ session.Store = (*Store)(nil)

// Open opens (creating it and its directory if needed) the store in the
// data directory dir, and migrates it to this build's schema. A store
// written by a newer build is refused with an error wrapping
// session.ErrNewerStore.
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create the data directory: %w (choose another with -data)", err)
	}
	path := filepath.Join(dir, FileName)
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	return open(ctx, db, path)
}

// OpenMemory returns an empty store that lives in memory and is lost on
// Close (-ephemeral, tests).
func OpenMemory(ctx context.Context) (*Store, error) {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	db, err := sql.Open("sqlite", "file:mem-"+hex.EncodeToString(b)+"?mode=memory&"+q.Encode())
	if err != nil {
		return nil, err
	}
	// Each connection to ":memory:" would be a database of its own: keep
	// exactly one, forever.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	return open(ctx, db, "memory")
}

func open(ctx context.Context, db *sql.DB, path string) (*Store, error) {
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open the store %s: %w", path, err)
	}
	if err := migrate(ctx, db, path); err != nil {
		db.Close()
		return nil, err
	}
	return &Store{db: db, path: path}, nil
}

// Path returns the database file (or "memory").
func (s *Store) Path() string { return s.path }

// Close checkpoints the WAL and closes the database.
func (s *Store) Close() error {
	if s.path != "memory" {
		_, _ = s.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	return s.db.Close()
}

// IntegrityCheck runs PRAGMA integrity_check and returns its complaints
// (nil when the store is sound).
func (s *Store) IntegrityCheck(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var msgs []error
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return err
		}
		if m != "ok" {
			msgs = append(msgs, errors.New(m))
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return errors.Join(msgs...)
}

// Usage returns the bytes the live pages of the database occupy.
func (s *Store) Usage(ctx context.Context) (int64, error) {
	var pages, free, size int64
	if err := s.db.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		return 0, err
	}
	if err := s.db.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&free); err != nil {
		return 0, err
	}
	if err := s.db.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&size); err != nil {
		return 0, err
	}
	return (pages - free) * size, nil
}
