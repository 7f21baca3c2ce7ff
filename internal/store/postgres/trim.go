package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aelab/aelab/session"
	"github.com/jackc/pgx/v5"
)

// Trim frees space until the store uses at most max bytes: the oldest
// ended sessions lose their weights first (every run's early weights, then
// the epochs'), then their keyframes, then their frames. Curves,
// heads, comparisons and uploads stay.
//
// A DELETE leaves dead rows that PostgreSQL's files keep until a VACUUM
// FULL rewrites the table, so Trim deletes, session by session, as much as
// the rows' own sizes say must go, then rewrites the table once and
// measures again (repeating while still above max). The rewrite locks that
// one table for its length, which is why Trim runs rarely (when the store
// outgrows -max-store) and on the tables it trims only.
func (s *Store) Trim(ctx context.Context, max int64) (session.TrimReport, error) {
	var rep session.TrimReport
	used, err := s.Usage(ctx)
	rep.Usage = used
	if err != nil || used <= max {
		return rep, err
	}
	for _, step := range []struct {
		table, size string
		out         *[]string
	}{
		{"early_weights", "pg_column_size(t.params)", &rep.WeightsOf},
		{"checkpoints", "pg_column_size(t.params) + coalesce(pg_column_size(t.state), 0)", &rep.WeightsOf},
		{"keyframes", "pg_column_size(t.data)", &rep.KeyframesOf},
		{"frames", "pg_column_size(t.data)", &rep.FramesOf},
	} {
		for used > max {
			est, removed := used, 0
			for est > max {
				id, bytes, err := s.oldestEndedWith(ctx, step.table, step.size)
				if err != nil {
					return rep, err
				}
				if id == "" {
					break
				}
				if _, err := s.pool.Exec(ctx, `DELETE FROM `+step.table+` WHERE session_id = $1`, id); err != nil {
					return rep, fmt.Errorf("store: trim %s of session %s: %w", step.table, id, err)
				}
				if !slices.Contains(*step.out, id) { // early weights, then the epochs'
					*step.out = append(*step.out, id)
				}
				est -= bytes
				removed++
			}
			if removed == 0 {
				break // nothing of this kind left to trim
			}
			if _, err := s.pool.Exec(ctx, `VACUUM FULL `+step.table); err != nil {
				return rep, fmt.Errorf("store: trim: vacuum %s: %w", step.table, err)
			}
			if used, err = s.Usage(ctx); err != nil {
				return rep, err
			}
			rep.Usage = used
		}
	}
	return rep, nil
}

// oldestEndedWith returns the oldest ended session having rows in table,
// with the bytes those rows hold, or "". A run stopped by a shutdown
// (session.ShutdownReason) has not ended: it waits to resume from its
// checkpoint.
func (s *Store) oldestEndedWith(ctx context.Context, table, size string) (string, int64, error) {
	var id string
	var bytes int64
	err := s.pool.QueryRow(ctx, `SELECT s.id, (SELECT coalesce(sum(`+size+`), 0)::bigint FROM `+table+` t WHERE t.session_id = s.id)
		FROM sessions s WHERE s.state IN ($1, $2, $3)
		AND NOT (s.state = $4 AND s.reason = $5)
		AND EXISTS (SELECT 1 FROM `+table+` t WHERE t.session_id = s.id)
		ORDER BY s.finished_at, s.created_at, s.id LIMIT 1`,
		string(session.Completed), string(session.Stopped), string(session.Failed),
		string(session.Stopped), session.ShutdownReason).Scan(&id, &bytes)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", 0, nil
	}
	if err != nil {
		return "", 0, fmt.Errorf("store: trim: %w", err)
	}
	return id, bytes, nil
}
