package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/aelab/aelab/internal/store/sqlite"
)

// defaultMaxStore is the default of -max-store: enough for thousands of
// small runs with their weights.
const defaultMaxStore = 2 << 30

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

// openStore opens the store the flags ask for: in memory with -ephemeral,
// else the SQLite file in the -data directory (created if needed).
func openStore(ctx context.Context, cfg config, log *slog.Logger) (*sqlite.Store, error) {
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
