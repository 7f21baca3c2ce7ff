package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// -store postgres://… keeps runs in PostgreSQL: a run trained on one
// server is there, completed, after a restart on the same database. Runs
// when AELAB_TEST_POSTGRES names a database (always under CI), in a schema
// of its own.
func TestStoreFlagPostgres(t *testing.T) {
	u := os.Getenv("AELAB_TEST_POSTGRES")
	if u == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but AELAB_TEST_POSTGRES names no database (.ci/run starts a cluster)")
		}
		t.Skip("AELAB_TEST_POSTGRES is not set: skipping the -store postgres test")
	}
	ctx := context.Background()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "aelab_main_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`)
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	store := u + sep + "search_path=" + schema

	get := func(url string, body string) (int, map[string]any) {
		t.Helper()
		var res *http.Response
		var err error
		if body == "" {
			res, err = http.Get(url)
		} else {
			res, err = http.Post(url, "application/json", strings.NewReader(body))
		}
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		return res.StatusCode, m
	}
	base, stop := startServer(t, "-store", store)
	st, created := get(base+"/api/sessions", `{"dataset":"blobs","encoder":[16],"bottleneck":2,"output_activation":"linear","batch_size":32,"epochs":1}`)
	if st != 201 {
		t.Fatalf("POST /api/sessions: %d %v", st, created)
	}
	id, _ := created["id"].(string)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, s := get(base+"/api/sessions/"+id, ""); s["state"] == "completed" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the run did not complete")
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+schema+`.sessions WHERE id = $1 AND state = 'completed'`, id).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the run is not kept in PostgreSQL: %d rows, %v", n, err)
	}
	base, stop = startServer(t, "-store", store)
	defer stop()
	if st, s := get(base+"/api/sessions/"+id, ""); st != 200 || s["state"] != "completed" {
		t.Fatalf("after a restart on the same database: %d %v; want the completed run", st, s)
	}
}

// -store takes a PostgreSQL URL only, and never together with -data or
// -ephemeral.
func TestStoreFlagPostgresErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"aelab", "-store", "/var/lib/aelab"}, "-store must be a PostgreSQL URL"},
		{[]string{"aelab", "-store", "postgres://h/db", "-data", t.TempDir()}, "-store and -data"},
		{[]string{"aelab", "-store", "postgres://h/db", "-ephemeral"}, "-store and -ephemeral"},
	} {
		err := run(t.Context(), tc.args, func(string) string { return "" }, &logBuffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q) = %v; want an error saying %q", tc.args, err, tc.want)
		}
	}
}
