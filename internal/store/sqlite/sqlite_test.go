package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aelab/aelab/internal/store/storecodec"
	"github.com/aelab/aelab/internal/store/storetest"
	"github.com/aelab/aelab/session"
)

func TestConformanceFile(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store {
		s, err := Open(context.Background(), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestConformanceMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store {
		s, err := OpenMemory(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// What is written is there after a reopen, the file is in WAL mode and
// sound, and the directory is created.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "a", "b")
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	r := storetest.Record("x", session.Completed, time.Now())
	if err := s.Write(ctx, &session.Batch{Sessions: []session.SessionRecord{r},
		Points: map[string][]session.SeriesPoint{"x": {{Series: "train", Step: 1, Value: 0.5}}}}); err != nil {
		t.Fatal(err)
	}
	var mode string
	if err := s.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Sessions(ctx)
	if err != nil || len(got) != 1 || got[0].ID != "x" || got[0].State != session.Completed {
		t.Fatalf("after reopening: %v, %v", got, err)
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Fatalf("integrity_check: %v", err)
	}
}

// A store written by a newer version is refused, saying so.
func TestNewerStoreRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA user_version = 99`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(ctx, dir)
	if !errors.Is(err, session.ErrNewerStore) {
		t.Fatalf("Open of a version-99 store: %v; want ErrNewerStore", err)
	}
	for _, want := range []string{"newer version", "schema version 99", "-data"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// A data directory that cannot be created is a clear error.
func TestOpenBadDir(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), filepath.Join(f, "sub"))
	if err == nil || !strings.Contains(err.Error(), "data directory") {
		t.Fatalf("Open under a file: %v; want an error about the data directory", err)
	}
}

// A store of schema version 1 (the first release) is migrated in place,
// keeping its sessions.
func TestMigrateFromVersion1(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(migrations[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO sessions (id, config, state, created_at) VALUES ('old', '{"dataset":"mnist"}', 'completed', 1); PRAGMA user_version = 1`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var v int
	if err := s.db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil || v != Version() {
		t.Fatalf("user_version = %d, %v; want %d", v, err, Version())
	}
	got, err := s.Sessions(ctx)
	if err != nil || len(got) != 1 || got[0].ID != "old" || got[0].BrowserHash != nil {
		t.Fatalf("after migrating: %+v, %v", got, err)
	}
}

// A store of schema version 3 (checkpoints without a training state,
// uploads without their uploader) is migrated in place: its checkpoints
// still load, with no state, and its uploads have no owner.
func TestMigrateFromVersion3(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range migrations[:3] {
		if _, err := db.Exec(m); err != nil {
			t.Fatal(err)
		}
	}
	params := []float32{1.5, -2, 0.25}
	if _, err := db.Exec(`INSERT INTO sessions (id, config, state, created_at) VALUES ('old', '{"dataset":"mnist"}', 'running', 1);
		INSERT INTO checkpoints (session_id, step, epoch, final, params) VALUES ('old', 600, 1, 0, ?);
		INSERT INTO datasets (name, filename, options, data, created_at) VALUES ('iris', 'iris.csv', '{}', 'a,b', 1);
		PRAGMA user_version = 3`, storecodec.EncodeParams(params)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.Checkpoint(ctx, "old")
	if err != nil || c == nil || c.Step != 600 || c.State != nil || len(c.Params) != 3 || c.Params[0] != 1.5 {
		t.Fatalf("the old checkpoint after migrating: %+v, %v; want step 600, its 3 weights, no state", c, err)
	}
	recs, err := s.Sessions(ctx)
	if err != nil || len(recs) != 1 || recs[0].ResumedAt != nil {
		t.Fatalf("the old session after migrating: %+v, %v; want it, never resumed", recs, err)
	}
	ds, err := s.Datasets(ctx)
	if err != nil || len(ds) != 1 || ds[0].OwnerHash != nil {
		t.Fatalf("the old upload after migrating: %+v, %v; want it, nobody's", ds, err)
	}
}

// Only the latest checkpoint of a session keeps the training's state: a
// later one clears it from the earlier ones (their weights stay).
func TestOnlyLatestCheckpointKeepsState(t *testing.T) {
	ctx := context.Background()
	s, err := OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rec := storetest.Record("a", session.Running, time.Now())
	state := make([]byte, 1000)
	for step := 100; step <= 300; step += 100 {
		b := &session.Batch{Checkpoints: []session.Checkpoint{{SessionID: "a", Step: step, Params: []float32{1, 2}, State: state}}}
		if step == 100 {
			b.Sessions = []session.SessionRecord{rec}
		}
		if err := s.Write(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	var withState, all int
	if err := s.db.QueryRow(`SELECT count(state), count(*) FROM checkpoints WHERE session_id = 'a'`).Scan(&withState, &all); err != nil {
		t.Fatal(err)
	}
	if withState != 1 || all != 3 {
		t.Fatalf("%d of %d checkpoints keep a state; want 1 of 3", withState, all)
	}
}

// A store of schema version 6 (classes kept whole, without a version or a
// code column) is migrated in place: its classes are at version 1 and are
// found by their code.
func TestMigrateClassesToVersions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range migrations[:6] {
		if _, err := db.Exec(m); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO classes (id, created_at, record) VALUES ('k1', 1, '{"ID":"k1","Name":"Year 11","Code":"K7Q-4XP","Addr":"10.0.0.1","Open":true}'); PRAGMA user_version = 6`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := s.ClassByCode(ctx, "K7Q-4XP")
	if err != nil || r.ID != "k1" || r.Version != 1 || !r.Open {
		t.Fatalf("the kept class by its code: %+v, %v", r, err)
	}
	if err := s.CreateClass(ctx, session.ClassRecord{ID: "k2", Code: "AAA-AAA", Addr: "10.0.0.1"}, 10, 1); !errors.Is(err, session.ErrClassAddrLimit) {
		t.Fatalf("the kept class counts for its address: %v", err)
	}
}
