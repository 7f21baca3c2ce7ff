package storecodec

import (
	"encoding/json"
	"fmt"

	"github.com/aelab/aelab/session"
)

// Rows is what both stores' query results offer (*sql.Rows and pgx.Rows),
// so that the rows both read alike are decoded once, here.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// ScanComparisons decodes rows of (id, kind, created_at, members).
func ScanComparisons(rows Rows) ([]session.ComparisonRecord, error) {
	var out []session.ComparisonRecord
	for rows.Next() {
		var c session.ComparisonRecord
		var kind, members string
		var created int64
		if err := rows.Scan(&c.ID, &kind, &created, &members); err != nil {
			return nil, fmt.Errorf("store: comparisons: %w", err)
		}
		c.Kind, c.CreatedAt = session.ComparisonKind(kind), FromUnixNano(created)
		if err := json.Unmarshal([]byte(members), &c.Members); err != nil {
			return nil, fmt.Errorf("store: comparison %s is damaged: %w", c.ID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ScanDatasets decodes rows of (name, filename, options, data, created_at,
// owner_hash).
func ScanDatasets(rows Rows) ([]session.DatasetRecord, error) {
	var out []session.DatasetRecord
	for rows.Next() {
		var d session.DatasetRecord
		var opt string
		var created int64
		if err := rows.Scan(&d.Name, &d.Filename, &opt, &d.Data, &created, &d.OwnerHash); err != nil {
			return nil, fmt.Errorf("store: datasets: %w", err)
		}
		d.CreatedAt = FromUnixNano(created)
		if err := json.Unmarshal([]byte(opt), &d.Options); err != nil {
			return nil, fmt.Errorf("store: the settings of dataset %s are damaged: %w", d.Name, err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
