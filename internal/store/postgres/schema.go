package postgres

import (
	"context"
	"fmt"

	"github.com/aelab/aelab/session"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrations are the schema changes, in order; migration i brings the
// database from version i to version i+1 (the one row of aelab_schema).
// Never edit a released one: append a new one. Times are Unix nanoseconds
// (0 for none), exact where timestamptz keeps microseconds only.
var migrations = []string{
	// 1: sessions, their curves, frames and weights; comparisons; uploads;
	// classes (the SQLite schema's three versions at once).
	`CREATE TABLE sessions (
		id           text PRIMARY KEY,
		owner_hash   bytea,
		browser_hash bytea,
		config       text NOT NULL,
		state        text NOT NULL,
		reason       text NOT NULL DEFAULT '',
		epoch        integer NOT NULL DEFAULT 0,
		step         bigint NOT NULL DEFAULT 0,
		total_steps  bigint NOT NULL DEFAULT 0,
		train_loss   double precision,
		test_loss    double precision,
		created_at   bigint NOT NULL,
		started_at   bigint NOT NULL DEFAULT 0,
		finished_at  bigint NOT NULL DEFAULT 0,
		origin       text NOT NULL DEFAULT ''
	);
	CREATE INDEX sessions_created ON sessions (created_at, id);
	CREATE TABLE points (
		id         bigserial PRIMARY KEY,
		session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
		series     text NOT NULL,
		step       bigint NOT NULL,
		epoch      double precision NOT NULL,
		value      double precision NOT NULL
	);
	CREATE INDEX points_session ON points (session_id, id);
	CREATE TABLE frames (
		session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
		kind       text NOT NULL,
		data       bytea NOT NULL,
		PRIMARY KEY (session_id, kind)
	);
	CREATE TABLE checkpoints (
		session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
		step       bigint NOT NULL,
		epoch      integer NOT NULL,
		final      boolean NOT NULL,
		params     bytea NOT NULL,
		PRIMARY KEY (session_id, step)
	);
	CREATE TABLE comparisons (
		id         text PRIMARY KEY,
		kind       text NOT NULL,
		created_at bigint NOT NULL,
		members    text NOT NULL
	);
	CREATE TABLE datasets (
		name       text PRIMARY KEY,
		filename   text NOT NULL,
		options    text NOT NULL,
		data       bytea NOT NULL,
		created_at bigint NOT NULL
	);
	CREATE TABLE classes (
		id         text PRIMARY KEY,
		created_at bigint NOT NULL,
		record     text NOT NULL
	);`,
	// 2: what a training needs to resume (its optimizer's state beside the
	// weights), where a session resumed, and who uploaded a dataset.
	`ALTER TABLE checkpoints ADD COLUMN state bytea;
	ALTER TABLE sessions ADD COLUMN resumed_epoch integer;
	ALTER TABLE sessions ADD COLUMN resumed_step bigint;
	ALTER TABLE datasets ADD COLUMN owner_hash bytea;`,
	// 3: keyframes, a run's replay (session.KeyframeSteps; at most
	// session.MaxKeyframes each).
	`CREATE TABLE keyframes (
		session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
		step       bigint NOT NULL,
		epoch      double precision NOT NULL,
		train_loss double precision,
		test_loss  double precision,
		data       bytea NOT NULL,
		PRIMARY KEY (session_id, step)
	);`,
	// 4: a small run's weights before its first epoch's end (session.EarlyWeightStore).
	`CREATE TABLE early_weights (
		session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
		step       bigint NOT NULL,
		params     bytea NOT NULL,
		PRIMARY KEY (session_id, step)
	);`,
	// 5: a class's version (compare-and-swap writes from several
	// replicas), its join code and creator's address as columns (found by
	// code; bounds counted by the store).
	`ALTER TABLE classes ADD COLUMN version bigint NOT NULL DEFAULT 1;
	ALTER TABLE classes ADD COLUMN code text;
	ALTER TABLE classes ADD COLUMN addr text NOT NULL DEFAULT '';
	UPDATE classes SET code = record::jsonb->>'Code', addr = COALESCE(record::jsonb->>'Addr', '');
	CREATE UNIQUE INDEX classes_code ON classes (code);
	CREATE INDEX classes_addr ON classes (addr);`,
}

// Version is the schema version this build writes.
func Version() int { return len(migrations) }

// migrateLock is the key of the advisory lock that serialises the
// migrations of servers starting together on one database.
const migrateLock = 0x61656c6162 // "aelab"

// migrate brings the database up to Version in one transaction (DDL is
// transactional in PostgreSQL), refusing one written by a newer build.
func migrate(ctx context.Context, pool *pgxpool.Pool, name string) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("migrate the store, %s: %w", name, err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrateLock)); err != nil {
		return fmt.Errorf("migrate the store, %s: %w", name, err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS aelab_schema (version integer NOT NULL)`); err != nil {
		return fmt.Errorf("migrate the store, %s: %w", name, err)
	}
	var v int
	err = tx.QueryRow(ctx, `SELECT version FROM aelab_schema`).Scan(&v)
	switch {
	case err == pgx.ErrNoRows:
		if _, err := tx.Exec(ctx, `INSERT INTO aelab_schema (version) VALUES (0)`); err != nil {
			return fmt.Errorf("migrate the store, %s: %w", name, err)
		}
	case err != nil:
		return fmt.Errorf("read the schema version of the store, %s: %w", name, err)
	}
	if v > len(migrations) {
		return fmt.Errorf("%w: the %s has schema version %d and this aelab knows versions up to %d; run a newer aelab on it, or choose another database with -store",
			session.ErrNewerStore, name, v, len(migrations))
	}
	if v == len(migrations) {
		return tx.Commit(ctx)
	}
	for ; v < len(migrations); v++ {
		if _, err := tx.Exec(ctx, migrations[v]); err != nil {
			return fmt.Errorf("migrate the store, %s, to schema version %d: %w", name, v+1, err)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE aelab_schema SET version = $1`, v); err != nil {
		return fmt.Errorf("migrate the store, %s, to schema version %d: %w", name, v, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("migrate the store, %s, to schema version %d: %w", name, v, err)
	}
	return nil
}
