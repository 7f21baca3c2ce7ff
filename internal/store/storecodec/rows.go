package storecodec

import (
	"encoding/json"
	"errors"
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

// Row is what both stores' single-row results offer (*sql.Row and
// pgx.Row).
type Row interface {
	Scan(dest ...any) error
}

// ScanPoints decodes rows of (series, step, epoch, value), the curve
// points of session id.
func ScanPoints(rows Rows, id string) ([]session.SeriesPoint, error) {
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

// ScanFrames decodes rows of (kind, data), the kept frames of session id.
func ScanFrames(rows Rows, id string) (session.Frames, error) {
	var f session.Frames
	for rows.Next() {
		var kind string
		var data []byte
		if err := rows.Scan(&kind, &data); err != nil {
			return f, fmt.Errorf("store: frames of session %s: %w", id, err)
		}
		if err := DecodeFrame(id, kind, data, &f); err != nil {
			return f, err
		}
	}
	return f, rows.Err()
}

// ScanCheckpoint decodes a row of (step, epoch, final, params, state), the
// latest checkpoint of session id; it is nil, without an error, where the
// row's error is noRows (the driver's "no rows").
func ScanCheckpoint(row Row, id string, noRows error) (*session.Checkpoint, error) {
	c := session.Checkpoint{SessionID: id}
	var step, epoch int64
	var data []byte
	err := row.Scan(&step, &epoch, &c.Final, &data, &c.State)
	if errors.Is(err, noRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: checkpoint of session %s: %w", id, err)
	}
	c.Step, c.Epoch = int(step), int(epoch)
	if c.Params, err = DecodeParams(data); err != nil {
		return nil, err
	}
	return &c, nil
}

// ScanSteps decodes rows of (step), the kept checkpoints of session id.
func ScanSteps(rows Rows, id string) ([]int, error) {
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

// EncodeClass is a class as it is kept: one JSON record (its keys only
// as hashes, as the record holds them).
func EncodeClass(r session.ClassRecord) (string, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("store: class %s: %w", r.ID, err)
	}
	return string(b), nil
}

// ScanClasses decodes rows of (id, version, record).
func ScanClasses(rows Rows) ([]session.ClassRecord, error) {
	var out []session.ClassRecord
	for rows.Next() {
		var id, rec string
		var version int64
		if err := rows.Scan(&id, &version, &rec); err != nil {
			return nil, fmt.Errorf("store: classes: %w", err)
		}
		var r session.ClassRecord
		if err := json.Unmarshal([]byte(rec), &r); err != nil {
			return nil, fmt.Errorf("store: class %s is damaged: %w", id, err)
		}
		r.Version = version
		out = append(out, r)
	}
	return out, rows.Err()
}

// ClassColumns are the columns ScanClasses reads.
const ClassColumns = `id, version, record`

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
