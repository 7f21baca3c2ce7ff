package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aelab/aelab/internal/store/storecodec"
	"github.com/aelab/aelab/session"
)

// PutClass inserts or replaces a class; the record is kept as JSON (its
// keys only as hashes, as the record holds them).
func (s *Store) PutClass(ctx context.Context, r session.ClassRecord) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("store: class %s: %w", r.ID, err)
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO classes (id, created_at, record) VALUES (?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET record = excluded.record`, r.ID, storecodec.UnixNano(r.CreatedAt), string(b))
	if err != nil {
		return fmt.Errorf("store: class %s: %w", r.ID, err)
	}
	return nil
}

// Classes returns every kept class, oldest first.
func (s *Store) Classes(ctx context.Context) ([]session.ClassRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, record FROM classes ORDER BY created_at, id`)
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
