package sqlite

import (
	"context"
	"fmt"

	"github.com/aelab/aelab/internal/store/storecodec"
	"github.com/aelab/aelab/session"
)

// CreateClass keeps a new class at version 1 after checking the bounds in
// the same transaction (the store's transactions take the write lock at
// once, so two creations cannot both pass the check). The record is kept
// as JSON (its keys only as hashes, as the record holds them); its code
// and address are columns too, for ClassByCode and the bounds.
func (s *Store) CreateClass(ctx context.Context, r session.ClassRecord, maxTotal, maxPerAddr int) error {
	rec, err := storecodec.EncodeClass(r)
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: class %s: %w", r.ID, err)
	}
	defer tx.Rollback()
	var total, perAddr, taken int
	// The total counts the open classes of the ClassLiveWindow (Open is
	// read from the record, as the store keeps it).
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(json_extract(record, '$.Open') = 1 AND created_at > ?), 0), COALESCE(SUM(addr = ? AND created_at > ?), 0), COALESCE(SUM(id = ? OR code = ?), 0) FROM classes`,
		storecodec.UnixNano(r.CreatedAt.Add(-session.ClassLiveWindow)), r.Addr, storecodec.UnixNano(r.CreatedAt.Add(-session.ClassAddrWindow)), r.ID, r.Code).Scan(&total, &perAddr, &taken); err != nil {
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
	if _, err := tx.ExecContext(ctx, `INSERT INTO classes (id, created_at, record, version, code, addr) VALUES (?, ?, ?, 1, ?, ?)`,
		r.ID, storecodec.UnixNano(r.CreatedAt), rec, r.Code, r.Addr); err != nil {
		return fmt.Errorf("store: class %s: %w", r.ID, err)
	}
	if err := tx.Commit(); err != nil {
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
	res, err := s.db.ExecContext(ctx, `UPDATE classes SET record = ?, version = version + 1 WHERE id = ? AND version = ?`,
		rec, r.ID, r.Version)
	if err != nil {
		return 0, fmt.Errorf("store: class %s: %w", r.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, fmt.Errorf("store: class %s: %w", r.ID, err)
	} else if n == 1 {
		return r.Version + 1, nil
	}
	if _, err := s.Class(ctx, r.ID); err != nil {
		return 0, err
	}
	return 0, session.ErrClassChanged
}

// Class returns one class by id.
func (s *Store) Class(ctx context.Context, id string) (session.ClassRecord, error) {
	return s.oneClass(ctx, `WHERE id = ?`, id)
}

// ClassByCode returns one class by its canonical join code.
func (s *Store) ClassByCode(ctx context.Context, code string) (session.ClassRecord, error) {
	return s.oneClass(ctx, `WHERE code = ?`, code)
}

func (s *Store) oneClass(ctx context.Context, where, arg string) (session.ClassRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+storecodec.ClassColumns+` FROM classes `+where, arg)
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
	rows, err := s.db.QueryContext(ctx, `SELECT `+storecodec.ClassColumns+` FROM classes ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("store: classes: %w", err)
	}
	defer rows.Close()
	return storecodec.ScanClasses(rows)
}
