package postgres

import (
	"context"

	"fmt"

	"github.com/aelab/aelab/internal/store/storecodec"
	"github.com/aelab/aelab/session"
	"github.com/jackc/pgx/v5"
)

// Keyframes returns the index of the kept keyframes of session id, by step.
func (s *Store) Keyframes(ctx context.Context, id string) ([]session.KeyframeInfo, error) {
	rows, err := s.pool.Query(ctx, `SELECT step, epoch, train_loss, test_loss FROM keyframes WHERE session_id = $1 ORDER BY step`, id)
	if err != nil {
		return nil, fmt.Errorf("store: keyframes of session %s: %w", id, err)
	}
	defer rows.Close()
	return storecodec.ScanKeyframeInfos(rows, id)
}

// Keyframe returns the kept keyframe of session id at step, or nil.
func (s *Store) Keyframe(ctx context.Context, id string, step int) (*session.Keyframe, error) {
	row := s.pool.QueryRow(ctx, `SELECT epoch, train_loss, test_loss, data FROM keyframes WHERE session_id = $1 AND step = $2`, id, int64(step))
	return storecodec.ScanKeyframe(row, id, step, pgx.ErrNoRows)
}
