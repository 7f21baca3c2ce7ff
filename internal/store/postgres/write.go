package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

	"github.com/aelab/aelab/internal/store/storecodec"
	"github.com/aelab/aelab/session"
	"github.com/jackc/pgx/v5"
)

// Write applies b in one transaction.
func (s *Store) Write(ctx context.Context, b *session.Batch) error {
	if b == nil || b.Empty() {
		return nil
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback(ctx)
	for _, r := range b.Sessions {
		if err := putSession(ctx, tx, r); err != nil {
			return err
		}
	}
	for _, id := range storecodec.SortedKeys(b.Rewind) {
		if _, err := tx.Exec(ctx, `DELETE FROM points WHERE session_id = $1 AND step > $2`, id, int64(b.Rewind[id])); err != nil {
			return fmt.Errorf("store: rewind the points of session %s: %w", id, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM keyframes WHERE session_id = $1 AND step > $2`, id, int64(b.Rewind[id])); err != nil {
			return fmt.Errorf("store: rewind the keyframes of session %s: %w", id, err)
		}
	}
	var rows [][]any
	for _, id := range storecodec.SortedKeys(b.Points) {
		for _, p := range b.Points[id] {
			if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
				continue // never plotted (and the SQLite store drops them too)
			}
			rows = append(rows, []any{id, p.Series, int64(p.Step), p.Epoch, p.Value})
		}
	}
	if len(rows) > 0 {
		// COPY keeps the rows in order, so the serial ids give the order written.
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"points"}, []string{"session_id", "series", "step", "epoch", "value"}, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("store: points: %w", err)
		}
	}
	for _, id := range storecodec.SortedKeys(b.Frames) {
		if err := putFrames(ctx, tx, id, b.Frames[id]); err != nil {
			return err
		}
	}
	for _, c := range b.Checkpoints {
		if _, err := tx.Exec(ctx, `INSERT INTO checkpoints (session_id, step, epoch, final, params, state) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (session_id, step) DO UPDATE SET epoch = excluded.epoch, final = excluded.final, params = excluded.params,
			state = excluded.state`,
			c.SessionID, int64(c.Step), c.Epoch, c.Final, storecodec.EncodeParams(c.Params), c.State); err != nil {
			return fmt.Errorf("store: checkpoint of session %s: %w", c.SessionID, err)
		}
		// Only the latest checkpoint is resumed from: older ones keep their
		// weights (the replay, exports) but not the training's state.
		if _, err := tx.Exec(ctx, `UPDATE checkpoints SET state = NULL WHERE session_id = $1 AND step < $2 AND state IS NOT NULL`, c.SessionID, int64(c.Step)); err != nil {
			return fmt.Errorf("store: checkpoint of session %s: %w", c.SessionID, err)
		}
	}
	for _, k := range b.Keyframes {
		data, err := storecodec.EncodeKeyframe(k)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO keyframes (session_id, step, epoch, train_loss, test_loss, data) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (session_id, step) DO UPDATE SET epoch = excluded.epoch, train_loss = excluded.train_loss,
			test_loss = excluded.test_loss, data = excluded.data`,
			k.SessionID, int64(k.Step), k.Epoch, storecodec.Finite(k.TrainLoss), storecodec.Finite(k.TestLoss), data); err != nil {
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
		if _, err := tx.Exec(ctx, `INSERT INTO comparisons (id, kind, created_at, members) VALUES ($1, $2, $3, $4)
			ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, created_at = excluded.created_at, members = excluded.members`,
			c.ID, string(c.Kind), storecodec.UnixNano(c.CreatedAt), string(members)); err != nil {
			return fmt.Errorf("store: comparison %s: %w", c.ID, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// putSession inserts or updates the head of session r.
func putSession(ctx context.Context, tx pgx.Tx, r session.SessionRecord) error {
	args, err := storecodec.SessionArgs(r)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO sessions (`+storecodec.SessionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
		ON CONFLICT (id) DO UPDATE SET `+storecodec.SessionUpdates, args...)
	if err != nil {
		return fmt.Errorf("store: session %s: %w", r.ID, err)
	}
	return nil
}

// putFrames replaces the kept frames of session id that f holds.
func putFrames(ctx context.Context, tx pgx.Tx, id string, f session.Frames) error {
	frames, err := storecodec.EncodeFrames(id, f)
	if err != nil {
		return err
	}
	for _, fr := range frames {
		if _, err := tx.Exec(ctx, `INSERT INTO frames (session_id, kind, data) VALUES ($1, $2, $3)
			ON CONFLICT (session_id, kind) DO UPDATE SET data = excluded.data`, id, fr.Kind, fr.Data); err != nil {
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
	_, err = s.pool.Exec(ctx, `INSERT INTO datasets (name, filename, options, data, created_at, owner_hash) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (name) DO UPDATE SET filename = excluded.filename, options = excluded.options, data = excluded.data,
		created_at = excluded.created_at, owner_hash = excluded.owner_hash`,
		d.Name, d.Filename, string(opt), d.Data, storecodec.UnixNano(d.CreatedAt), d.OwnerHash)
	if err != nil {
		return fmt.Errorf("store: dataset %s: %w", d.Name, err)
	}
	return nil
}

// DeleteDataset forgets an uploaded dataset.
func (s *Store) DeleteDataset(ctx context.Context, name string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM datasets WHERE name = $1`, name); err != nil {
		return fmt.Errorf("store: delete dataset %s: %w", name, err)
	}
	return nil
}

// DeleteSession forgets a session and everything attached to it (the
// foreign keys cascade). Autovacuum makes the space reusable.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE id = $1`, id); err != nil {
		return fmt.Errorf("store: delete session %s: %w", id, err)
	}
	return nil
}
