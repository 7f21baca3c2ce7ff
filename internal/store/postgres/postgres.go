// Package postgres is the store of aelab for a server farm: session.Store
// on PostgreSQL (through github.com/jackc/pgx/v5 and its pool), with
// versioned schema migrations run at open. Several servers may share one
// database; migrations are serialised by an advisory lock.
package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/aelab/aelab/session"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is a session.Store on PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
	name string // the database, for messages (never the password)
}

var _ session.Store = (*Store)(nil)

// Open connects to the database named by url (a postgres:// URL or a
// key=value connection string, as libpq reads them; pool_max_conns bounds
// the pool, 8 by default) and migrates it to this build's schema. A
// database written by a newer build is refused with an error wrapping
// session.ErrNewerStore.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("-store: not a PostgreSQL URL (want postgres://user:password@host:port/database): %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = 8
	}
	return OpenConfig(ctx, cfg)
}

// OpenConfig is Open with a parsed configuration (tests set search_path
// through it to give each test a schema of its own).
func OpenConfig(ctx context.Context, cfg *pgxpool.Config) (*Store, error) {
	name := fmt.Sprintf("database %s on %s:%d", cfg.ConnConfig.Database, cfg.ConnConfig.Host, cfg.ConnConfig.Port)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open the store, %s: %w", name, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open the store, %s: %w", name, err)
	}
	if err := migrate(ctx, pool, name); err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{pool: pool, name: name}, nil
}

// Name says which database the store is in (no password).
func (s *Store) Name() string { return s.name }

// Close releases the pool's connections. Every write is committed when
// Write returns, so there is nothing to flush.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// tables are aelab's tables, whose sizes Usage adds up.
var tables = []string{"sessions", "points", "frames", "checkpoints", "keyframes", "early_weights", "comparisons", "datasets", "classes", "aelab_schema"}

// Usage returns the bytes aelab's tables take on disk, with their indexes
// and TOAST data (pg_total_relation_size).
func (s *Store) Usage(ctx context.Context) (int64, error) {
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce(sum(pg_total_relation_size(t::regclass)), 0)::bigint FROM unnest($1::text[]) AS t`, tables).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: usage: %w", err)
	}
	return n, nil
}
