package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/aelab/aelab/session"
)

// migrations are the schema changes, in order; migration i brings the
// store from version i to version i+1 (PRAGMA user_version). Never edit a
// released one: append a new one.
var migrations = []string{
	// 1: sessions, their curves, frames and weights; comparisons; uploads.
	`CREATE TABLE sessions (
		id          TEXT PRIMARY KEY,
		owner_hash  BLOB,
		config      TEXT NOT NULL,
		state       TEXT NOT NULL,
		reason      TEXT NOT NULL DEFAULT '',
		epoch       INTEGER NOT NULL DEFAULT 0,
		step        INTEGER NOT NULL DEFAULT 0,
		total_steps INTEGER NOT NULL DEFAULT 0,
		train_loss  REAL,
		test_loss   REAL,
		created_at  INTEGER NOT NULL,
		started_at  INTEGER NOT NULL DEFAULT 0,
		finished_at INTEGER NOT NULL DEFAULT 0,
		origin      TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX sessions_created ON sessions(created_at, id);
	CREATE TABLE points (
		session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
		series     TEXT NOT NULL,
		step       INTEGER NOT NULL,
		epoch      REAL NOT NULL,
		value      REAL NOT NULL
	);
	CREATE INDEX points_session ON points(session_id);
	CREATE TABLE frames (
		session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
		kind       TEXT NOT NULL,
		data       BLOB NOT NULL,
		PRIMARY KEY (session_id, kind)
	);
	CREATE TABLE checkpoints (
		session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
		step       INTEGER NOT NULL,
		epoch      INTEGER NOT NULL,
		final      INTEGER NOT NULL,
		params     BLOB NOT NULL,
		PRIMARY KEY (session_id, step)
	);
	CREATE TABLE comparisons (
		id         TEXT PRIMARY KEY,
		kind       TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		members    TEXT NOT NULL
	);
	CREATE TABLE datasets (
		name       TEXT PRIMARY KEY,
		filename   TEXT NOT NULL,
		options    TEXT NOT NULL,
		data       BLOB NOT NULL,
		created_at INTEGER NOT NULL
	);`,
	// 2: classes, each kept whole (a bounded record: students, runs).
	`CREATE TABLE classes (
		id         TEXT PRIMARY KEY,
		created_at INTEGER NOT NULL,
		record     TEXT NOT NULL
	);`,
	// 3: the owner key of the browser that started a session.
	`ALTER TABLE sessions ADD COLUMN browser_hash BLOB;`,
	// 4: what a training needs to resume (its optimizer's state beside the
	// weights), where a session resumed, and who uploaded a dataset.
	`ALTER TABLE checkpoints ADD COLUMN state BLOB;
	ALTER TABLE sessions ADD COLUMN resumed_epoch INTEGER;
	ALTER TABLE sessions ADD COLUMN resumed_step INTEGER;
	ALTER TABLE datasets ADD COLUMN owner_hash BLOB;`,
	// 5: keyframes, a run's replay (session.KeyframeSteps; at most
	// session.MaxKeyframes each).
	`CREATE TABLE keyframes (
		session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
		step       INTEGER NOT NULL,
		epoch      REAL NOT NULL,
		train_loss REAL,
		test_loss  REAL,
		data       BLOB NOT NULL,
		PRIMARY KEY (session_id, step)
	);`,
	// 6: a small run's weights before its first epoch's end (session.EarlyWeightStore).
	`CREATE TABLE early_weights (
		session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
		step       INTEGER NOT NULL,
		params     BLOB NOT NULL,
		PRIMARY KEY (session_id, step)
	);`,
	// 7: a class's version (compare-and-swap writes from several
	// replicas), its join code and creator's address as columns (found by
	// code; bounds counted by the store).
	`ALTER TABLE classes ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
	ALTER TABLE classes ADD COLUMN code TEXT;
	ALTER TABLE classes ADD COLUMN addr TEXT NOT NULL DEFAULT '';
	UPDATE classes SET code = json_extract(record, '$.Code'), addr = COALESCE(json_extract(record, '$.Addr'), '');
	CREATE UNIQUE INDEX classes_code ON classes(code);
	CREATE INDEX classes_addr ON classes(addr);`,
}

// Version is the schema version this build writes.
func Version() int { return len(migrations) }

// migrate brings the store at path up to Version, refusing one written by
// a newer build.
func migrate(ctx context.Context, db *sql.DB, path string) error {
	var v int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return fmt.Errorf("read the schema version of %s: %w", path, err)
	}
	if v > len(migrations) {
		return fmt.Errorf("%w: %s has schema version %d and this aelab knows versions up to %d; run a newer aelab on it, or choose another directory with -data",
			session.ErrNewerStore, path, v, len(migrations))
	}
	if v == 0 {
		// Must precede the first table: freed pages then go back to the
		// file system on PRAGMA incremental_vacuum, so Trim shrinks it.
		if _, err := db.ExecContext(ctx, `PRAGMA auto_vacuum = INCREMENTAL`); err != nil {
			return fmt.Errorf("set up %s: %w", path, err)
		}
	}
	for ; v < len(migrations); v++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s to schema version %d: %w", path, v+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, v+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s to schema version %d: %w", path, v+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate %s to schema version %d: %w", path, v+1, err)
		}
	}
	return nil
}
