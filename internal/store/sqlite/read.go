package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/aelab/aelab/internal/store/storecodec"
	"github.com/aelab/aelab/session"
)

// Sessions returns the head of every kept session, oldest first.
func (s *Store) Sessions(ctx context.Context) ([]session.SessionRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+storecodec.SessionColumns+` FROM sessions ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("store: sessions: %w", err)
	}
	defer rows.Close()
	return storecodec.ScanSessions(rows)
}

// dialect is how SQLite spells a session query (storecodec.SessionQuery).
var dialect = storecodec.Dialect{
	Param:      func(n int) string { return "?" + strconv.Itoa(n) },
	ConfigText: func(key string) string { return "CAST(json_extract(config, '$." + key + "') AS TEXT)" },
	ID:         "id",
}

// QuerySessions returns the heads of the sessions q selects, in its order.
func (s *Store) QuerySessions(ctx context.Context, q session.SessionQuery) ([]session.SessionRecord, error) {
	where, order, args := storecodec.SessionQuery(q, dialect)
	query := `SELECT ` + storecodec.SessionColumns + ` FROM sessions WHERE ` + where + ` ORDER BY ` + order
	if q.Limit > 0 {
		query += ` LIMIT ` + strconv.Itoa(q.Limit)
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: query sessions: %w", err)
	}
	defer rows.Close()
	return storecodec.ScanSessions(rows)
}

// Points returns every curve point of session id in the order written.
func (s *Store) Points(ctx context.Context, id string) ([]session.SeriesPoint, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT series, step, epoch, value FROM points WHERE session_id = ? ORDER BY rowid`, id)
	if err != nil {
		return nil, fmt.Errorf("store: points of session %s: %w", id, err)
	}
	defer rows.Close()
	return storecodec.ScanPoints(rows, id)
}

// Frames returns the latest kept frames of session id.
func (s *Store) Frames(ctx context.Context, id string) (session.Frames, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT kind, data FROM frames WHERE session_id = ?`, id)
	if err != nil {
		return session.Frames{}, fmt.Errorf("store: frames of session %s: %w", id, err)
	}
	defer rows.Close()
	return storecodec.ScanFrames(rows, id)
}

// Checkpoint returns the latest kept weights of session id, or nil.
func (s *Store) Checkpoint(ctx context.Context, id string) (*session.Checkpoint, error) {
	row := s.db.QueryRowContext(ctx, `SELECT step, epoch, final, params, state FROM checkpoints WHERE session_id = ? ORDER BY step DESC LIMIT 1`, id)
	return storecodec.ScanCheckpoint(row, id, sql.ErrNoRows)
}

// CheckpointAt returns the kept weights of session id after step (without
// the training's state), or nil.
func (s *Store) CheckpointAt(ctx context.Context, id string, step int) (*session.Checkpoint, error) {
	row := s.db.QueryRowContext(ctx, `SELECT step, epoch, final, params, NULL FROM checkpoints WHERE session_id = ? AND step = ?`, id, step)
	return storecodec.ScanCheckpoint(row, id, sql.ErrNoRows)
}

// Checkpoints lists the steps of the kept checkpoints of session id.
func (s *Store) Checkpoints(ctx context.Context, id string) ([]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT step FROM checkpoints WHERE session_id = ? ORDER BY step`, id)
	if err != nil {
		return nil, fmt.Errorf("store: checkpoints of session %s: %w", id, err)
	}
	defer rows.Close()
	return storecodec.ScanSteps(rows, id)
}

// Comparisons returns every kept comparison, oldest first.
func (s *Store) Comparisons(ctx context.Context) ([]session.ComparisonRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, kind, created_at, members FROM comparisons ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("store: comparisons: %w", err)
	}
	defer rows.Close()
	return storecodec.ScanComparisons(rows)
}

// Datasets returns every kept uploaded dataset, oldest first.
func (s *Store) Datasets(ctx context.Context) ([]session.DatasetRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, filename, options, data, created_at, owner_hash FROM datasets ORDER BY created_at, name`)
	if err != nil {
		return nil, fmt.Errorf("store: datasets: %w", err)
	}
	defer rows.Close()
	return storecodec.ScanDatasets(rows)
}
