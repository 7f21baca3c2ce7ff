package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aelab/aelab/internal/store/storetest"
	"github.com/aelab/aelab/session"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// testURL returns the database the tests may use (AELAB_TEST_POSTGRES).
// Without one the tests skip, except under CI, where that is a failure:
// .ci/run starts a throwaway cluster and names it.
func testURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("AELAB_TEST_POSTGRES")
	if u == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but AELAB_TEST_POSTGRES names no database: the PostgreSQL store must be tested in CI (.ci/run starts a cluster)")
		}
		t.Skip("AELAB_TEST_POSTGRES is not set (e.g. postgres:///aelab_test?host=/tmp/pg): skipping the PostgreSQL store's tests")
	}
	return u
}

// schemaConfig creates a schema of its own for one test (dropped at its
// end) and returns a pool configuration whose search_path is it, so tests
// and concurrent runs never see each other's tables.
func schemaConfig(t *testing.T) *pgxpool.Config {
	t.Helper()
	ctx := context.Background()
	u := testURL(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "aelab_test_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatalf("connect to AELAB_TEST_POSTGRES: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), u)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	cfg, err := pgxpool.ParseConfig(u)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	return cfg
}

func open(t *testing.T, cfg *pgxpool.Config) *Store {
	t.Helper()
	s, err := OpenConfig(context.Background(), cfg.Copy())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	testURL(t)
	storetest.Run(t, func(t *testing.T) session.Store { return open(t, schemaConfig(t)) })
}

// What is written is there after a reopen, and reopening runs no
// migration again.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	cfg := schemaConfig(t)
	s := open(t, cfg)
	r := storetest.Record("x", session.Completed, time.Now())
	if err := s.Write(ctx, &session.Batch{Sessions: []session.SessionRecord{r},
		Points: map[string][]session.SeriesPoint{"x": {{Series: "train", Step: 1, Value: 0.5}}}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, cfg)
	defer s.Close()
	got, err := s.Sessions(ctx)
	if err != nil || len(got) != 1 || got[0].ID != "x" || got[0].State != session.Completed {
		t.Fatalf("after reopening: %v, %v", got, err)
	}
	var v int
	if err := s.pool.QueryRow(ctx, `SELECT version FROM aelab_schema`).Scan(&v); err != nil || v != Version() {
		t.Fatalf("schema version = %d, %v; want %d", v, err, Version())
	}
}

// Servers starting together on one empty database migrate it once.
func TestConcurrentOpen(t *testing.T) {
	cfg := schemaConfig(t)
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() {
			s, err := OpenConfig(context.Background(), cfg.Copy())
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	for i := 0; i < 4; i++ {
		if err := <-errs; err != nil {
			t.Errorf("concurrent open: %v", err)
		}
	}
}

// A database written by a newer version is refused, saying so.
func TestNewerStoreRefused(t *testing.T) {
	ctx := context.Background()
	cfg := schemaConfig(t)
	s := open(t, cfg)
	if _, err := s.pool.Exec(ctx, `UPDATE aelab_schema SET version = 99`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := OpenConfig(ctx, cfg.Copy())
	if !errors.Is(err, session.ErrNewerStore) {
		t.Fatalf("Open of a version-99 store: %v; want ErrNewerStore", err)
	}
	for _, want := range []string{"newer version", "schema version 99", "-store"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// A URL that is not one, or names no reachable server, is a clear error
// that never shows the password.
func TestOpenBadURL(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := Open(ctx, "postgres://u:secret@[::1"); err == nil || !strings.Contains(err.Error(), "-store") || strings.Contains(err.Error(), "secret") {
		t.Errorf("Open of a malformed URL: %v; want an error naming -store, without the password", err)
	}
	_, err := Open(ctx, "postgres://u:secret@127.0.0.1:1/none?connect_timeout=2")
	if err == nil || !strings.Contains(err.Error(), "database none on 127.0.0.1:1") || strings.Contains(err.Error(), "secret") {
		t.Errorf("Open of an unreachable server: %v; want an error naming the database, without the password", err)
	}
}
