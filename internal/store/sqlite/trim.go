package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/aelab/aelab/session"
)

// Trim frees space until the store uses at most max bytes: the oldest
// ended sessions lose their weights first (every run's early weights, then
// the epochs'), then their keyframes, then their frames. Curves,
// heads, comparisons and uploads stay.
func (s *Store) Trim(ctx context.Context, max int64) (session.TrimReport, error) {
	var rep session.TrimReport
	for _, step := range []struct {
		table string
		out   *[]string
	}{{"early_weights", &rep.WeightsOf}, {"checkpoints", &rep.WeightsOf}, {"keyframes", &rep.KeyframesOf}, {"frames", &rep.FramesOf}} {
		for {
			used, err := s.Usage(ctx)
			if err != nil {
				return rep, err
			}
			rep.Usage = used
			if used <= max {
				return rep, nil
			}
			id, err := s.oldestEndedWith(ctx, step.table)
			if err != nil {
				return rep, err
			}
			if id == "" {
				break
			}
			if _, err := s.db.ExecContext(ctx, `DELETE FROM `+step.table+` WHERE session_id = ?`, id); err != nil {
				return rep, fmt.Errorf("store: trim %s of session %s: %w", step.table, id, err)
			}
			if _, err := s.db.ExecContext(ctx, `PRAGMA incremental_vacuum`); err != nil {
				return rep, fmt.Errorf("store: trim: %w", err)
			}
			if !slices.Contains(*step.out, id) { // early weights, then the epochs'
				*step.out = append(*step.out, id)
			}
		}
	}
	used, err := s.Usage(ctx)
	rep.Usage = used
	return rep, err
}

// oldestEndedWith returns the oldest ended session having rows in table, or "".
// A run stopped by a shutdown (session.ShutdownReason) has not ended: it
// waits to resume from its checkpoint.
func (s *Store) oldestEndedWith(ctx context.Context, table string) (string, error) {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT s.id FROM sessions s WHERE s.state IN (?, ?, ?)
		AND NOT (s.state = ? AND s.reason = ?)
		AND EXISTS (SELECT 1 FROM `+table+` t WHERE t.session_id = s.id)
		ORDER BY s.finished_at, s.created_at, s.id LIMIT 1`,
		string(session.Completed), string(session.Stopped), string(session.Failed),
		string(session.Stopped), session.ShutdownReason).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: trim: %w", err)
	}
	return id, nil
}
