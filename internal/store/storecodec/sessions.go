package storecodec

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/aelab/aelab/session"
)

// SessionColumns are the columns of a session's head, in the order
// SessionArgs writes them and ScanSessions reads them.
const SessionColumns = `id, owner_hash, config, state, reason, epoch, step, total_steps,
	train_loss, test_loss, created_at, started_at, finished_at, origin, browser_hash, resumed_epoch, resumed_step`

// SessionUpdates is the SET list of an upsert of a session's head: every
// column but id takes the value offered (excluded).
const SessionUpdates = `owner_hash = excluded.owner_hash, config = excluded.config, state = excluded.state,
	reason = excluded.reason, epoch = excluded.epoch, step = excluded.step, total_steps = excluded.total_steps,
	train_loss = excluded.train_loss, test_loss = excluded.test_loss, created_at = excluded.created_at,
	started_at = excluded.started_at, finished_at = excluded.finished_at, origin = excluded.origin,
	browser_hash = excluded.browser_hash, resumed_epoch = excluded.resumed_epoch, resumed_step = excluded.resumed_step`

// SessionArgs are the values of r's head in SessionColumns order, in types
// both drivers write alike (NULL for a missing or non-finite loss and for
// a session never resumed).
func SessionArgs(r session.SessionRecord) ([]any, error) {
	cfg, err := json.Marshal(r.Config)
	if err != nil {
		return nil, fmt.Errorf("store: session %s: %w", r.ID, err)
	}
	var resumedEpoch, resumedStep *int64
	if r.ResumedAt != nil {
		e, st := int64(r.ResumedAt.Epoch), int64(r.ResumedAt.Step)
		resumedEpoch, resumedStep = &e, &st
	}
	return []any{r.ID, r.OwnerHash, string(cfg), string(r.State), r.Reason, int64(r.Epoch), int64(r.Step), int64(r.TotalSteps),
		Finite(r.TrainLoss), Finite(r.TestLoss), UnixNano(r.CreatedAt), UnixNano(r.StartedAt), UnixNano(r.FinishedAt),
		r.Origin, r.BrowserHash, resumedEpoch, resumedStep}, nil
}

// ScanSessions decodes rows of SessionColumns.
func ScanSessions(rows Rows) ([]session.SessionRecord, error) {
	var out []session.SessionRecord
	for rows.Next() {
		var r session.SessionRecord
		var cfg, state string
		var epoch, step, total, created, started, finished int64
		var resumedEpoch, resumedStep *int64
		if err := rows.Scan(&r.ID, &r.OwnerHash, &cfg, &state, &r.Reason, &epoch, &step, &total,
			&r.TrainLoss, &r.TestLoss, &created, &started, &finished, &r.Origin, &r.BrowserHash, &resumedEpoch, &resumedStep); err != nil {
			return nil, fmt.Errorf("store: sessions: %w", err)
		}
		if resumedStep != nil && resumedEpoch != nil {
			r.ResumedAt = &session.ResumePoint{Epoch: int(*resumedEpoch), Step: int(*resumedStep)}
		}
		if err := json.Unmarshal([]byte(cfg), &r.Config); err != nil {
			return nil, fmt.Errorf("store: the configuration of session %s is damaged: %w", r.ID, err)
		}
		r.State, r.Epoch, r.Step, r.TotalSteps = session.State(state), int(epoch), int(step), int(total)
		r.CreatedAt, r.StartedAt, r.FinishedAt = FromUnixNano(created), FromUnixNano(started), FromUnixNano(finished)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Finite is f, or nil (NULL) where f is missing, NaN or infinite: neither
// database keeps a NaN as Go reads it back.
func Finite(f *float64) *float64 {
	if f == nil || math.IsNaN(*f) || math.IsInf(*f, 0) {
		return nil
	}
	return f
}
