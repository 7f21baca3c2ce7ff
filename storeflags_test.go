package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aelab/aelab/internal/store/sqlite"
)

func TestDefaultStoreDir(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_DATA_HOME": "/x/data", "HOME": "/home/u"}, "/x/data/aelab"},
		{map[string]string{"XDG_DATA_HOME": "relative", "HOME": "/home/u"}, "/home/u/.local/share/aelab"}, // the XDG spec ignores relative paths
		{map[string]string{"HOME": "/home/u"}, "/home/u/.local/share/aelab"},
		{map[string]string{}, ""},
	} {
		if got := defaultStoreDir(env(tc.env)); got != tc.want {
			t.Errorf("defaultStoreDir(%v) = %q, want %q", tc.env, got, tc.want)
		}
	}
}

// -data creates the directory and the store in it, and logs where.
func TestDataFlagCreatesStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "runs")
	_, stop := startServer(t, "-data", dir)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, sqlite.FileName)); err != nil {
		t.Fatalf("no store in -data %s: %v", dir, err)
	}
}

func TestStoreFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"aelab", "-addr", "127.0.0.1:0"}, "-data DIR"}, // no HOME in the test environment
		{[]string{"aelab", "-ephemeral", "-max-store", "1000"}, "-max-store must be at least"},
		{[]string{"aelab", "-ephemeral", "-max-store", "0"}, "-max-store must be at least"},
	} {
		err := run(t.Context(), tc.args, func(string) string { return "" }, &logBuffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q) = %v; want an error saying %q", tc.args, err, tc.want)
		}
	}
}

// TestEphemeralStoreDefault: with -ephemeral the store lives in the
// server's memory, outside the memory budget, so its default bound is far
// below the file's 2 GiB; an explicit -max-store still wins.
func TestEphemeralStoreDefault(t *testing.T) {
	env := func(string) string { return "" }
	for _, tc := range []struct {
		args []string
		want int64
	}{
		{[]string{"aelab", "-ephemeral"}, defaultEphemeralStore},
		{[]string{"aelab", "-ephemeral", "-max-store", "1073741824"}, 1 << 30},
		{[]string{"aelab", "-data", t.TempDir()}, defaultMaxStore},
	} {
		c, err := parseFlags(tc.args, env, io.Discard)
		if err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		if c.maxStore != tc.want {
			t.Errorf("%q: -max-store %d, want %d", tc.args, c.maxStore, tc.want)
		}
	}
	if defaultEphemeralStore > 256<<20 {
		t.Errorf("the in-memory store may take %d bytes by default; want at most 256 MiB", defaultEphemeralStore)
	}
}
