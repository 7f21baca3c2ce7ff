package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/aelab/aelab/internal/store/storecodec"
	"github.com/aelab/aelab/session"
)

// sessionColumns are the columns scanSessions reads, in its order.
const sessionColumns = `id, owner_hash, config, state, reason, epoch, step, total_steps,
	train_loss, test_loss, created_at, started_at, finished_at, origin, browser_hash, resumed_epoch, resumed_step`

// Sessions returns the head of every kept session, oldest first.
func (s *Store) Sessions(ctx context.Context) ([]session.SessionRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("store: sessions: %w", err)
	}
	return scanSessions(rows)
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
	query := `SELECT ` + sessionColumns + ` FROM sessions WHERE ` + where + ` ORDER BY ` + order
	if q.Limit > 0 {
		query += ` LIMIT ` + strconv.Itoa(q.Limit)
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: query sessions: %w", err)
	}
	return scanSessions(rows)
}

// scanSessions reads heads of sessionColumns and closes rows.
func scanSessions(rows *sql.Rows) ([]session.SessionRecord, error) {
	defer rows.Close()
	var out []session.SessionRecord
	for rows.Next() {
		var r session.SessionRecord
		var cfg, state string
		var train, test sql.NullFloat64
		var created, started, finished int64
		var resumedEpoch, resumedStep sql.NullInt64
		if err := rows.Scan(&r.ID, &r.OwnerHash, &cfg, &state, &r.Reason, &r.Epoch, &r.Step, &r.TotalSteps,
			&train, &test, &created, &started, &finished, &r.Origin, &r.BrowserHash, &resumedEpoch, &resumedStep); err != nil {
			return nil, fmt.Errorf("store: sessions: %w", err)
		}
		if resumedStep.Valid {
			r.ResumedAt = &session.ResumePoint{Epoch: int(resumedEpoch.Int64), Step: int(resumedStep.Int64)}
		}
		if err := json.Unmarshal([]byte(cfg), &r.Config); err != nil {
			return nil, fmt.Errorf("store: the configuration of session %s is damaged: %w", r.ID, err)
		}
		r.State = session.State(state)
		if train.Valid {
			r.TrainLoss = &train.Float64
		}
		if test.Valid {
			r.TestLoss = &test.Float64
		}
		r.CreatedAt, r.StartedAt, r.FinishedAt = storecodec.FromUnixNano(created), storecodec.FromUnixNano(started), storecodec.FromUnixNano(finished)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Points returns every curve point of session id in the order written.
func (s *Store) Points(ctx context.Context, id string) ([]session.SeriesPoint, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT series, step, epoch, value FROM points WHERE session_id = ? ORDER BY rowid`, id)
	if err != nil {
		return nil, fmt.Errorf("store: points of session %s: %w", id, err)
	}
	defer rows.Close()
	var out []session.SeriesPoint
	for rows.Next() {
		var p session.SeriesPoint
		if err := rows.Scan(&p.Series, &p.Step, &p.Epoch, &p.Value); err != nil {
			return nil, fmt.Errorf("store: points of session %s: %w", id, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Frames returns the latest kept frames of session id.
func (s *Store) Frames(ctx context.Context, id string) (session.Frames, error) {
	var f session.Frames
	rows, err := s.db.QueryContext(ctx, `SELECT kind, data FROM frames WHERE session_id = ?`, id)
	if err != nil {
		return f, fmt.Errorf("store: frames of session %s: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var data []byte
		if err := rows.Scan(&kind, &data); err != nil {
			return f, fmt.Errorf("store: frames of session %s: %w", id, err)
		}
		if err := storecodec.DecodeFrame(id, kind, data, &f); err != nil {
			return f, err
		}
	}
	return f, rows.Err()
}

// Checkpoint returns the latest kept weights of session id, or nil.
func (s *Store) Checkpoint(ctx context.Context, id string) (*session.Checkpoint, error) {
	c := session.Checkpoint{SessionID: id}
	var data []byte
	err := s.db.QueryRowContext(ctx, `SELECT step, epoch, final, params, state FROM checkpoints WHERE session_id = ? ORDER BY step DESC LIMIT 1`, id).
		Scan(&c.Step, &c.Epoch, &c.Final, &data, &c.State)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: checkpoint of session %s: %w", id, err)
	}
	if c.Params, err = storecodec.DecodeParams(data); err != nil {
		return nil, err
	}
	return &c, nil
}

// Checkpoints lists the steps of the kept checkpoints of session id.
func (s *Store) Checkpoints(ctx context.Context, id string) ([]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT step FROM checkpoints WHERE session_id = ? ORDER BY step`, id)
	if err != nil {
		return nil, fmt.Errorf("store: checkpoints of session %s: %w", id, err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var st int
		if err := rows.Scan(&st); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
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
