package postgres

import (
	"context"
	"fmt"

	"github.com/aelab/aelab/internal/store/storecodec"
	"github.com/aelab/aelab/session"
)

// PutClass inserts or replaces a class; the record is kept as JSON (its
// keys only as hashes, as the record holds them).
func (s *Store) PutClass(ctx context.Context, r session.ClassRecord) error {
	rec, err := storecodec.EncodeClass(r)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO classes (id, created_at, record) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET record = excluded.record`, r.ID, storecodec.UnixNano(r.CreatedAt), rec)
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
	return storecodec.ScanClasses(rows)
}
