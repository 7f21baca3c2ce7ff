package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/aelab/aelab/internal/store/postgres"
	"github.com/aelab/aelab/internal/store/sqlite"
	"github.com/aelab/aelab/session"
)

// defaultMaxStore is the default of -max-store: enough for thousands of
// small runs with their weights.
const defaultMaxStore = 2 << 30

// defaultEphemeralStore is the default of -max-store with -ephemeral: the
// in-memory store takes the server's memory, outside -max-memory's budget,
// so it is kept small (about thirty runs' weights; the oldest ended runs
// then lose theirs, never their curves).
const defaultEphemeralStore = 256 << 20

// defaultStoreDir is the user's data directory for aelab:
// $XDG_DATA_HOME/aelab, else ~/.local/share/aelab; "" if neither variable
// is set.
func defaultStoreDir(getenv func(string) string) string {
	if d := getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "aelab")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "share", "aelab")
	}
	return ""
}

// checkStoreFlags refuses -store with -data or -ephemeral (runs are kept
// in one place) and a -store that is not a PostgreSQL URL.
func checkStoreFlags(fl *flag.FlagSet, c config) error {
	if c.storeURL == "" {
		return nil
	}
	if !strings.HasPrefix(c.storeURL, "postgres://") && !strings.HasPrefix(c.storeURL, "postgresql://") {
		return errors.New("-store must be a PostgreSQL URL, postgres://user:password@host:5432/database (leave it out to keep runs in the -data directory)")
	}
	var clash error
	fl.Visit(func(f *flag.Flag) {
		if f.Name == "data" || f.Name == "ephemeral" {
			clash = fmt.Errorf("-store and -%s both choose where runs are kept: give one of them", f.Name)
		}
	})
	return clash
}

// openStore opens the store the flags ask for: in memory with -ephemeral,
// the PostgreSQL database of -store, else the SQLite file in the -data
// directory (created if needed).
func openStore(ctx context.Context, cfg config, log *slog.Logger) (session.Store, error) {
	if cfg.storeURL != "" {
		st, err := postgres.Open(ctx, cfg.storeURL)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		used, _ := st.Usage(ctx)
		log.Info("runs are kept", "store", st.Name(), "schema", postgres.Version(), "used_bytes", used, "max_bytes", cfg.maxStore)
		return st, nil
	}
	if cfg.ephemeral {
		log.Info("runs are kept in memory only (-ephemeral): they are lost when the server stops")
		return sqlite.OpenMemory(ctx)
	}
	if cfg.storeDir == "" {
		return nil, errors.New("no data directory: neither XDG_DATA_HOME nor HOME is set; choose one with -data DIR, or keep runs in memory with -ephemeral")
	}
	st, err := sqlite.Open(ctx, cfg.storeDir)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	used, _ := st.Usage(ctx)
	log.Info("runs are kept", "store", st.Path(), "schema", sqlite.Version(), "used_bytes", used, "max_bytes", cfg.maxStore)
	return st, nil
}
