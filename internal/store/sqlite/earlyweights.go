package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/aelab/aelab/internal/store/storecodec"
	"github.com/aelab/aelab/session"
)

// writeEarlyWeights applies b's Rewind and EarlyWeights to the early
// weights (session.EarlyWeightStore), inside Write's transaction.
func writeEarlyWeights(ctx context.Context, tx *sql.Tx, b *session.Batch) error {
	for _, id := range storecodec.SortedKeys(b.Rewind) {
		if _, err := tx.ExecContext(ctx, `DELETE FROM early_weights WHERE session_id = ? AND step > ?`, id, b.Rewind[id]); err != nil {
			return fmt.Errorf("store: rewind the early weights of session %s: %w", id, err)
		}
	}
	for _, c := range b.EarlyWeights {
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO early_weights (session_id, step, params) VALUES (?, ?, ?)`,
			c.SessionID, c.Step, storecodec.EncodeParams(c.Params)); err != nil {
			return fmt.Errorf("store: early weights of session %s: %w", c.SessionID, err)
		}
	}
	return nil
}

// EarlyWeightSteps lists the steps of the kept early weights of session id.
func (s *Store) EarlyWeightSteps(ctx context.Context, id string) ([]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT step FROM early_weights WHERE session_id = ? ORDER BY step`, id)
	if err != nil {
		return nil, fmt.Errorf("store: early weights of session %s: %w", id, err)
	}
	defer rows.Close()
	return storecodec.ScanSteps(rows, id)
}

// EarlyWeightsAt returns the kept early weights of session id at step, or nil.
func (s *Store) EarlyWeightsAt(ctx context.Context, id string, step int) (*session.Checkpoint, error) {
	row := s.db.QueryRowContext(ctx, `SELECT step, 0, 0, params, NULL FROM early_weights WHERE session_id = ? AND step = ?`, id, step)
	return storecodec.ScanCheckpoint(row, id, sql.ErrNoRows)
}
