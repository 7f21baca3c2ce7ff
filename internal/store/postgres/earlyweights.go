package postgres

import (
	"context"
	"fmt"

	"github.com/aelab/aelab/internal/store/storecodec"
	"github.com/aelab/aelab/session"
	"github.com/jackc/pgx/v5"
)

// writeEarlyWeights applies b's Rewind and EarlyWeights to the early
// weights (session.EarlyWeightStore), inside Write's transaction.
func writeEarlyWeights(ctx context.Context, tx pgx.Tx, b *session.Batch) error {
	for _, id := range storecodec.SortedKeys(b.Rewind) {
		if _, err := tx.Exec(ctx, `DELETE FROM early_weights WHERE session_id = $1 AND step > $2`, id, int64(b.Rewind[id])); err != nil {
			return fmt.Errorf("store: rewind the early weights of session %s: %w", id, err)
		}
	}
	for _, c := range b.EarlyWeights {
		if _, err := tx.Exec(ctx, `INSERT INTO early_weights (session_id, step, params) VALUES ($1, $2, $3)
			ON CONFLICT (session_id, step) DO UPDATE SET params = excluded.params`,
			c.SessionID, int64(c.Step), storecodec.EncodeParams(c.Params)); err != nil {
			return fmt.Errorf("store: early weights of session %s: %w", c.SessionID, err)
		}
	}
	return nil
}

// EarlyWeightSteps lists the steps of the kept early weights of session id.
func (s *Store) EarlyWeightSteps(ctx context.Context, id string) ([]int, error) {
	rows, err := s.pool.Query(ctx, `SELECT step FROM early_weights WHERE session_id = $1 ORDER BY step`, id)
	if err != nil {
		return nil, fmt.Errorf("store: early weights of session %s: %w", id, err)
	}
	defer rows.Close()
	return storecodec.ScanSteps(rows, id)
}

// EarlyWeightsAt returns the kept early weights of session id at step, or nil.
func (s *Store) EarlyWeightsAt(ctx context.Context, id string, step int) (*session.Checkpoint, error) {
	row := s.pool.QueryRow(ctx, `SELECT step, 0::bigint, false, params, NULL::bytea FROM early_weights WHERE session_id = $1 AND step = $2`, id, int64(step))
	return storecodec.ScanCheckpoint(row, id, pgx.ErrNoRows)
}
