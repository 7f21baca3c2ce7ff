package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/aelab/aelab/internal/store/storecodec"
	"github.com/aelab/aelab/session"
	"github.com/jackc/pgx/v5"
)

// sessionColumns are the columns scanSessions reads, in its order.
const sessionColumns = `id, owner_hash, config, state, reason, epoch, step, total_steps,
	train_loss, test_loss, created_at, started_at, finished_at, origin, browser_hash, resumed_epoch, resumed_step`

// Sessions returns the head of every kept session, oldest first.
func (s *Store) Sessions(ctx context.Context) ([]session.SessionRecord, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+sessionColumns+` FROM sessions ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("store: sessions: %w", err)
	}
	return scanSessions(rows)
}

// dialect is how PostgreSQL spells a session query
// (storecodec.SessionQuery); IDs compare byte by byte whatever the
// database's collation.
var dialect = storecodec.Dialect{
	Param:      func(n int) string { return "$" + strconv.Itoa(n) },
	ConfigText: func(key string) string { return "(config::jsonb ->> '" + key + "')" },
	ID:         `id COLLATE "C"`,
}

// QuerySessions returns the heads of the sessions q selects, in its order.
func (s *Store) QuerySessions(ctx context.Context, q session.SessionQuery) ([]session.SessionRecord, error) {
	where, order, args := storecodec.SessionQuery(q, dialect)
	query := `SELECT ` + sessionColumns + ` FROM sessions WHERE ` + where + ` ORDER BY ` + order
	if q.Limit > 0 {
		query += ` LIMIT ` + strconv.Itoa(q.Limit)
	}
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: query sessions: %w", err)
	}
	return scanSessions(rows)
}

// scanSessions reads heads of sessionColumns and closes rows.
func scanSessions(rows pgx.Rows) ([]session.SessionRecord, error) {
	defer rows.Close()
	var out []session.SessionRecord
	for rows.Next() {
		var r session.SessionRecord
		var cfg, state string
		var step, total, created, started, finished int64
		var resumedEpoch, resumedStep *int64
		if err := rows.Scan(&r.ID, &r.OwnerHash, &cfg, &state, &r.Reason, &r.Epoch, &step, &total,
			&r.TrainLoss, &r.TestLoss, &created, &started, &finished, &r.Origin, &r.BrowserHash, &resumedEpoch, &resumedStep); err != nil {
			return nil, fmt.Errorf("store: sessions: %w", err)
		}
		if resumedStep != nil && resumedEpoch != nil {
			r.ResumedAt = &session.ResumePoint{Epoch: int(*resumedEpoch), Step: int(*resumedStep)}
		}
		if err := json.Unmarshal([]byte(cfg), &r.Config); err != nil {
			return nil, fmt.Errorf("store: the configuration of session %s is damaged: %w", r.ID, err)
		}
		r.State, r.Step, r.TotalSteps = session.State(state), int(step), int(total)
		r.CreatedAt, r.StartedAt, r.FinishedAt = storecodec.FromUnixNano(created), storecodec.FromUnixNano(started), storecodec.FromUnixNano(finished)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Points returns every curve point of session id in the order written.
func (s *Store) Points(ctx context.Context, id string) ([]session.SeriesPoint, error) {
	rows, err := s.pool.Query(ctx, `SELECT series, step, epoch, value FROM points WHERE session_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: points of session %s: %w", id, err)
	}
	defer rows.Close()
	var out []session.SeriesPoint
	for rows.Next() {
		var p session.SeriesPoint
		var step int64
		if err := rows.Scan(&p.Series, &step, &p.Epoch, &p.Value); err != nil {
			return nil, fmt.Errorf("store: points of session %s: %w", id, err)
		}
		p.Step = int(step)
		out = append(out, p)
	}
	return out, rows.Err()
}

// Frames returns the latest kept frames of session id.
func (s *Store) Frames(ctx context.Context, id string) (session.Frames, error) {
	var f session.Frames
	rows, err := s.pool.Query(ctx, `SELECT kind, data FROM frames WHERE session_id = $1`, id)
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
	var step int64
	var data []byte
	err := s.pool.QueryRow(ctx, `SELECT step, epoch, final, params, state FROM checkpoints WHERE session_id = $1 ORDER BY step DESC LIMIT 1`, id).
		Scan(&step, &c.Epoch, &c.Final, &data, &c.State)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: checkpoint of session %s: %w", id, err)
	}
	c.Step = int(step)
	if c.Params, err = storecodec.DecodeParams(data); err != nil {
		return nil, err
	}
	return &c, nil
}

// Checkpoints lists the steps of the kept checkpoints of session id.
func (s *Store) Checkpoints(ctx context.Context, id string) ([]int, error) {
	rows, err := s.pool.Query(ctx, `SELECT step FROM checkpoints WHERE session_id = $1 ORDER BY step`, id)
	if err != nil {
		return nil, fmt.Errorf("store: checkpoints of session %s: %w", id, err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var st int64
		if err := rows.Scan(&st); err != nil {
			return nil, fmt.Errorf("store: checkpoints of session %s: %w", id, err)
		}
		out = append(out, int(st))
	}
	return out, rows.Err()
}

// Comparisons returns every kept comparison, oldest first.
func (s *Store) Comparisons(ctx context.Context) ([]session.ComparisonRecord, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, kind, created_at, members FROM comparisons ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("store: comparisons: %w", err)
	}
	defer rows.Close()
	return storecodec.ScanComparisons(rows)
}

// Datasets returns every kept uploaded dataset, oldest first.
func (s *Store) Datasets(ctx context.Context) ([]session.DatasetRecord, error) {
	rows, err := s.pool.Query(ctx, `SELECT name, filename, options, data, created_at, owner_hash FROM datasets ORDER BY created_at, name`)
	if err != nil {
		return nil, fmt.Errorf("store: datasets: %w", err)
	}
	defer rows.Close()
	return storecodec.ScanDatasets(rows)
}

// PutClass inserts or replaces a class, kept as JSON (its keys only as
// hashes, as the record holds them).
func (s *Store) PutClass(ctx context.Context, r session.ClassRecord) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("store: class %s: %w", r.ID, err)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO classes (id, created_at, record) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET record = excluded.record`, r.ID, storecodec.UnixNano(r.CreatedAt), string(b))
	if err != nil {
		return fmt.Errorf("store: class %s: %w", r.ID, err)
	}
	return nil
}

// Classes returns every kept class, oldest first.
func (s *Store) Classes(ctx context.Context) ([]session.ClassRecord, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, record FROM classes ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("store: classes: %w", err)
	}
	defer rows.Close()
	var out []session.ClassRecord
	for rows.Next() {
		var id, rec string
		if err := rows.Scan(&id, &rec); err != nil {
			return nil, fmt.Errorf("store: classes: %w", err)
		}
		var r session.ClassRecord
		if err := json.Unmarshal([]byte(rec), &r); err != nil {
			return nil, fmt.Errorf("store: class %s is damaged: %w", id, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
