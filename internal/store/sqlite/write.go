package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/aelab/aelab/session"
)

// Write applies b in one transaction.
func (s *Store) Write(ctx context.Context, b *session.Batch) error {
	if b == nil || b.Empty() {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()
	for _, r := range b.Sessions {
		if err := putSession(ctx, tx, r); err != nil {
			return err
		}
	}
	if len(b.Points) > 0 {
		st, err := tx.PrepareContext(ctx, `INSERT INTO points (session_id, series, step, epoch, value) VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("store: points: %w", err)
		}
		defer st.Close()
		for _, id := range sortedKeys(b.Points) {
			for _, p := range b.Points[id] {
				if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
					continue // never plotted; SQLite would turn NaN into NULL
				}
				if _, err := st.ExecContext(ctx, id, p.Series, p.Step, p.Epoch, p.Value); err != nil {
					return fmt.Errorf("store: points of session %s: %w", id, err)
				}
			}
		}
	}
	for _, id := range sortedKeys(b.Frames) {
		if err := putFrames(ctx, tx, id, b.Frames[id]); err != nil {
			return err
		}
	}
	for _, c := range b.Checkpoints {
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO checkpoints (session_id, step, epoch, final, params) VALUES (?, ?, ?, ?, ?)`,
			c.SessionID, c.Step, c.Epoch, c.Final, encodeParams(c.Params)); err != nil {
			return fmt.Errorf("store: checkpoint of session %s: %w", c.SessionID, err)
		}
	}
	for _, c := range b.Comparisons {
		members, err := json.Marshal(c.Members)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO comparisons (id, kind, created_at, members) VALUES (?, ?, ?, ?)`,
			c.ID, string(c.Kind), unixNano(c.CreatedAt), string(members)); err != nil {
			return fmt.Errorf("store: comparison %s: %w", c.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

func putSession(ctx context.Context, tx *sql.Tx, r session.SessionRecord) error {
	cfg, err := json.Marshal(r.Config)
	if err != nil {
		return fmt.Errorf("store: session %s: %w", r.ID, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO sessions (id, owner_hash, config, state, reason, epoch, step, total_steps,
		train_loss, test_loss, created_at, started_at, finished_at, origin, browser_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET owner_hash = excluded.owner_hash, config = excluded.config, state = excluded.state,
		reason = excluded.reason, epoch = excluded.epoch, step = excluded.step, total_steps = excluded.total_steps,
		train_loss = excluded.train_loss, test_loss = excluded.test_loss, created_at = excluded.created_at,
		started_at = excluded.started_at, finished_at = excluded.finished_at, origin = excluded.origin,
		browser_hash = excluded.browser_hash`,
		r.ID, r.OwnerHash, string(cfg), string(r.State), r.Reason, r.Epoch, r.Step, r.TotalSteps,
		nullFloat(r.TrainLoss), nullFloat(r.TestLoss), unixNano(r.CreatedAt), unixNano(r.StartedAt), unixNano(r.FinishedAt), r.Origin, r.BrowserHash)
	if err != nil {
		return fmt.Errorf("store: session %s: %w", r.ID, err)
	}
	return nil
}

// Frame kinds, the key of a frame row.
const (
	frameProgress = "progress"
	frameLatent   = "latent"
	frameRecon    = "reconstructions"
	frameAnomaly  = "anomaly"
)

func putFrames(ctx context.Context, tx *sql.Tx, id string, f session.Frames) error {
	put := func(kind string, v any) error {
		data, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("store: %s frame of session %s: %w", kind, id, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO frames (session_id, kind, data) VALUES (?, ?, ?)`, id, kind, data); err != nil {
			return fmt.Errorf("store: %s frame of session %s: %w", kind, id, err)
		}
		return nil
	}
	if f.Progress != nil {
		if err := put(frameProgress, f.Progress); err != nil {
			return err
		}
	}
	if f.Latent != nil {
		if err := put(frameLatent, f.Latent); err != nil {
			return err
		}
	}
	if f.Reconstructions != nil {
		if err := put(frameRecon, f.Reconstructions); err != nil {
			return err
		}
	}
	if f.Anomaly != nil {
		if err := put(frameAnomaly, f.Anomaly); err != nil {
			return err
		}
	}
	return nil
}

// PutDataset keeps an uploaded dataset, replacing one of the same name.
func (s *Store) PutDataset(ctx context.Context, d session.DatasetRecord) error {
	opt, err := json.Marshal(d.Options)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT OR REPLACE INTO datasets (name, filename, options, data, created_at) VALUES (?, ?, ?, ?, ?)`,
		d.Name, d.Filename, string(opt), d.Data, unixNano(d.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: dataset %s: %w", d.Name, err)
	}
	return nil
}

// DeleteDataset forgets an uploaded dataset.
func (s *Store) DeleteDataset(ctx context.Context, name string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM datasets WHERE name = ?`, name); err != nil {
		return fmt.Errorf("store: delete dataset %s: %w", name, err)
	}
	return nil
}

// DeleteSession forgets a session and everything attached to it.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: delete session %s: %w", id, err)
	}
	_, _ = s.db.ExecContext(ctx, `PRAGMA incremental_vacuum`)
	return nil
}

func encodeParams(p []float32) []byte {
	b := make([]byte, 4*len(p))
	for i, v := range p {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}

func decodeParams(b []byte) ([]float32, error) {
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("store: a checkpoint of %d bytes is not a whole number of float32s", len(b))
	}
	p := make([]float32, len(b)/4)
	for i := range p {
		p[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return p, nil
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

func nullFloat(f *float64) sql.NullFloat64 {
	if f == nil || math.IsNaN(*f) || math.IsInf(*f, 0) {
		return sql.NullFloat64{}
	}
	return sql.NullFloat64{Float64: *f, Valid: true}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
