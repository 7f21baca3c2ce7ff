package postgres

import (
	"context"
	"errors"
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
	out := []session.KeyframeInfo{}
	for rows.Next() {
		var k session.KeyframeInfo
		var step int64
		if err := rows.Scan(&step, &k.Epoch, &k.TrainLoss, &k.TestLoss); err != nil {
			return nil, fmt.Errorf("store: keyframes of session %s: %w", id, err)
		}
		k.Step = int(step)
		out = append(out, k)
	}
	return out, rows.Err()
}

// Keyframe returns the kept keyframe of session id at step, or nil.
func (s *Store) Keyframe(ctx context.Context, id string, step int) (*session.Keyframe, error) {
	k := session.Keyframe{SessionID: id, Step: step}
	var data []byte
	err := s.pool.QueryRow(ctx, `SELECT epoch, train_loss, test_loss, data FROM keyframes WHERE session_id = $1 AND step = $2`, id, int64(step)).
		Scan(&k.Epoch, &k.TrainLoss, &k.TestLoss, &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: keyframe of session %s at step %d: %w", id, step, err)
	}
	if err := storecodec.DecodeKeyframe(data, &k); err != nil {
		return nil, err
	}
	return &k, nil
}
