package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"

	"github.com/aelab/aelab/internal/store/storecodec"
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
	for _, id := range storecodec.SortedKeys(b.Rewind) {
		if _, err := tx.ExecContext(ctx, `DELETE FROM points WHERE session_id = ? AND step > ?`, id, b.Rewind[id]); err != nil {
			return fmt.Errorf("store: rewind the points of session %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM keyframes WHERE session_id = ? AND step > ?`, id, b.Rewind[id]); err != nil {
			return fmt.Errorf("store: rewind the keyframes of session %s: %w", id, err)
		}
	}
	if len(b.Points) > 0 {
		st, err := tx.PrepareContext(ctx, `INSERT INTO points (session_id, series, step, epoch, value) VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("store: points: %w", err)
		}
		defer st.Close()
		for _, id := range storecodec.SortedKeys(b.Points) {
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
	for _, id := range storecodec.SortedKeys(b.Frames) {
		if err := putFrames(ctx, tx, id, b.Frames[id]); err != nil {
			return err
		}
	}
	for _, c := range b.Checkpoints {
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO checkpoints (session_id, step, epoch, final, params, state) VALUES (?, ?, ?, ?, ?, ?)`,
			c.SessionID, c.Step, c.Epoch, c.Final, storecodec.EncodeParams(c.Params), c.State); err != nil {
			return fmt.Errorf("store: checkpoint of session %s: %w", c.SessionID, err)
		}
		// Only the latest checkpoint is resumed from: older ones keep their
		// weights (the replay, exports) but not the training's state.
		if _, err := tx.ExecContext(ctx, `UPDATE checkpoints SET state = NULL WHERE session_id = ? AND step < ? AND state IS NOT NULL`, c.SessionID, c.Step); err != nil {
			return fmt.Errorf("store: checkpoint of session %s: %w", c.SessionID, err)
		}
	}
	for _, k := range b.Keyframes {
		data, err := storecodec.EncodeKeyframe(k)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO keyframes (session_id, step, epoch, train_loss, test_loss, data) VALUES (?, ?, ?, ?, ?, ?)`,
			k.SessionID, k.Step, k.Epoch, storecodec.Finite(k.TrainLoss), storecodec.Finite(k.TestLoss), data); err != nil {
			return fmt.Errorf("store: keyframe of session %s: %w", k.SessionID, err)
		}
	}
	if err := writeEarlyWeights(ctx, tx, b); err != nil {
		return err
	}
	for _, c := range b.Comparisons {
		members, err := json.Marshal(c.Members)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO comparisons (id, kind, created_at, members) VALUES (?, ?, ?, ?)`,
			c.ID, string(c.Kind), storecodec.UnixNano(c.CreatedAt), string(members)); err != nil {
			return fmt.Errorf("store: comparison %s: %w", c.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// putSession inserts or updates the head of session r.
func putSession(ctx context.Context, tx *sql.Tx, r session.SessionRecord) error {
	args, err := storecodec.SessionArgs(r)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO sessions (`+storecodec.SessionColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET `+storecodec.SessionUpdates, args...)
	if err != nil {
		return fmt.Errorf("store: session %s: %w", r.ID, err)
	}
	return nil
}

// putFrames replaces the kept frames of session id that f holds.
func putFrames(ctx context.Context, tx *sql.Tx, id string, f session.Frames) error {
	frames, err := storecodec.EncodeFrames(id, f)
	if err != nil {
		return err
	}
	for _, fr := range frames {
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO frames (session_id, kind, data) VALUES (?, ?, ?)`, id, fr.Kind, fr.Data); err != nil {
			return fmt.Errorf("store: %s frame of session %s: %w", fr.Kind, id, err)
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
	_, err = s.db.ExecContext(ctx, `INSERT OR REPLACE INTO datasets (name, filename, options, data, created_at, owner_hash) VALUES (?, ?, ?, ?, ?, ?)`,
		d.Name, d.Filename, string(opt), d.Data, storecodec.UnixNano(d.CreatedAt), d.OwnerHash)
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
