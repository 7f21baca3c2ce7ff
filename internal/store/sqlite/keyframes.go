package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/aelab/aelab/internal/store/storecodec"
	"github.com/aelab/aelab/session"
)

// Keyframes returns the index of the kept keyframes of session id, by step.
func (s *Store) Keyframes(ctx context.Context, id string) ([]session.KeyframeInfo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT step, epoch, train_loss, test_loss FROM keyframes WHERE session_id = ? ORDER BY step`, id)
	if err != nil {
		return nil, fmt.Errorf("store: keyframes of session %s: %w", id, err)
	}
	defer rows.Close()
	out := []session.KeyframeInfo{}
	for rows.Next() {
		var k session.KeyframeInfo
		var train, test sql.NullFloat64
		if err := rows.Scan(&k.Step, &k.Epoch, &train, &test); err != nil {
			return nil, fmt.Errorf("store: keyframes of session %s: %w", id, err)
		}
		if train.Valid {
			k.TrainLoss = &train.Float64
		}
		if test.Valid {
			k.TestLoss = &test.Float64
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// Keyframe returns the kept keyframe of session id at step, or nil.
func (s *Store) Keyframe(ctx context.Context, id string, step int) (*session.Keyframe, error) {
	k := session.Keyframe{SessionID: id, Step: step}
	var train, test sql.NullFloat64
	var data []byte
	err := s.db.QueryRowContext(ctx, `SELECT epoch, train_loss, test_loss, data FROM keyframes WHERE session_id = ? AND step = ?`, id, step).
		Scan(&k.Epoch, &train, &test, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: keyframe of session %s at step %d: %w", id, step, err)
	}
	if train.Valid {
		k.TrainLoss = &train.Float64
	}
	if test.Valid {
		k.TestLoss = &test.Float64
	}
	if err := storecodec.DecodeKeyframe(data, &k); err != nil {
		return nil, err
	}
	return &k, nil
}
