package postgres

import (
	"context"
	"fmt"

	"github.com/aelab/aelab/internal/store/storecodec"
	"github.com/aelab/aelab/session"
)

// classLock is the key of the advisory lock that serialises the creation
// of classes (the bounds are checked and the class inserted under it).
const classLock = 0x61656c6163 // "aelac"

// CreateClass keeps a new class at version 1 after checking the bounds
// under a transaction-scoped advisory lock, so that two replicas creating
// classes at once cannot both pass the check. The record is kept as JSON
// (its keys only as hashes, as the record holds them); its code and
// address are columns too, for ClassByCode and the bounds.
func (s *Store) CreateClass(ctx context.Context, r session.ClassRecord, maxTotal, maxPerAddr int) error {
	rec, err := storecodec.EncodeClass(r)
	if err != nil {
		return err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: class %s: %w", r.ID, err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(classLock)); err != nil {
		return fmt.Errorf("store: class %s: %w", r.ID, err)
	}
	var total, perAddr, taken int
	// The total counts the open classes of the ClassLiveWindow (Open is
	// read from the record, as the store keeps it).
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FILTER (WHERE (record::jsonb->>'Open')::boolean AND created_at > $5), COUNT(*) FILTER (WHERE addr = $1 AND created_at > $4), COUNT(*) FILTER (WHERE id = $2 OR code = $3) FROM classes`,
		r.Addr, r.ID, r.Code, storecodec.UnixNano(r.CreatedAt.Add(-session.ClassAddrWindow)), storecodec.UnixNano(r.CreatedAt.Add(-session.ClassLiveWindow))).Scan(&total, &perAddr, &taken); err != nil {
		return fmt.Errorf("store: class %s: %w", r.ID, err)
	}
	switch {
	case taken > 0:
		return session.ErrClassTaken
	case total >= maxTotal:
		return session.ErrClassLimit
	case perAddr >= maxPerAddr:
		return session.ErrClassAddrLimit
	}
	if _, err := tx.Exec(ctx, `INSERT INTO classes (id, created_at, record, version, code, addr) VALUES ($1, $2, $3, 1, $4, $5)`,
		r.ID, storecodec.UnixNano(r.CreatedAt), rec, r.Code, r.Addr); err != nil {
		return fmt.Errorf("store: class %s: %w", r.ID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: class %s: %w", r.ID, err)
	}
	return nil
}

// UpdateClass replaces a class if it is still at r.Version.
func (s *Store) UpdateClass(ctx context.Context, r session.ClassRecord) (int64, error) {
	rec, err := storecodec.EncodeClass(r)
	if err != nil {
		return 0, err
	}
	tag, err := s.pool.Exec(ctx, `UPDATE classes SET record = $1, version = version + 1 WHERE id = $2 AND version = $3`,
		rec, r.ID, r.Version)
	if err != nil {
		return 0, fmt.Errorf("store: class %s: %w", r.ID, err)
	}
	if tag.RowsAffected() == 1 {
		return r.Version + 1, nil
	}
	if _, err := s.Class(ctx, r.ID); err != nil {
		return 0, err
	}
	return 0, session.ErrClassChanged
}

// Class returns one class by id.
func (s *Store) Class(ctx context.Context, id string) (session.ClassRecord, error) {
	return s.oneClass(ctx, `WHERE id = $1`, id)
}

// ClassByCode returns one class by its canonical join code.
func (s *Store) ClassByCode(ctx context.Context, code string) (session.ClassRecord, error) {
	return s.oneClass(ctx, `WHERE code = $1`, code)
}

func (s *Store) oneClass(ctx context.Context, where, arg string) (session.ClassRecord, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+storecodec.ClassColumns+` FROM classes `+where, arg)
	if err != nil {
		return session.ClassRecord{}, fmt.Errorf("store: class: %w", err)
	}
	defer rows.Close()
	out, err := storecodec.ScanClasses(rows)
	if err != nil {
		return session.ClassRecord{}, err
	}
	if len(out) == 0 {
		return session.ClassRecord{}, session.ErrClassMissing
	}
	return out[0], nil
}

// Classes returns every kept class, oldest first.
func (s *Store) Classes(ctx context.Context) ([]session.ClassRecord, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+storecodec.ClassColumns+` FROM classes ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("store: classes: %w", err)
	}
	defer rows.Close()
	return storecodec.ScanClasses(rows)
}
