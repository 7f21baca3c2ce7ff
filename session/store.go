package session

import (
	"context"
	"errors"
	"time"

	"github.com/aelab/aelab/datasets"
)

// Store is what the session layer needs from persistence: a narrow
// interface of plain Go values, so that SQL stays out of this package.
// internal/store/sqlite implements it (the embedded default), and
// internal/store/postgres for a server farm. internal/store/storetest is the
// conformance suite every implementation runs.
//
// Every method is safe for concurrent use. Writes of one Batch are atomic:
// after a crash a batch is either wholly kept or wholly lost.
type Store interface {
	// ClassStore keeps the classes (PutClass, Classes).
	ClassStore
	// EarlyWeightStore keeps the weights of a run's first steps
	// (Batch.EarlyWeights).
	EarlyWeightStore
	// Write applies one batch of changes in one transaction.
	Write(ctx context.Context, b *Batch) error
	// Sessions returns the head of every kept session, oldest first.
	Sessions(ctx context.Context) ([]SessionRecord, error)
	// QuerySessions returns the heads of the sessions q selects, after
	// q.After, in q.Sort's order (SortDate when empty), at most q.Limit of
	// them when it is positive: what Select returns from every head.
	QuerySessions(ctx context.Context, q SessionQuery) ([]SessionRecord, error)
	// Points returns every recorded curve point of session id, in the order
	// written.
	Points(ctx context.Context, id string) ([]SeriesPoint, error)
	// Frames returns the latest frames of session id (fields nil where none
	// was kept or they were trimmed).
	Frames(ctx context.Context, id string) (Frames, error)
	// Checkpoint returns the latest kept weights of session id, or nil if
	// none are kept.
	Checkpoint(ctx context.Context, id string) (*Checkpoint, error)
	// Checkpoints lists the steps of every kept checkpoint of session id,
	// in increasing order.
	Checkpoints(ctx context.Context, id string) ([]int, error)
	// CheckpointAt returns the kept weights of session id after step (its
	// State left nil: the replay only reads the weights), or nil if no
	// checkpoint of that step is kept.
	CheckpointAt(ctx context.Context, id string, step int) (*Checkpoint, error)
	// Keyframes returns the index of the kept keyframes of session id, by
	// step (empty if none are kept or they were trimmed).
	Keyframes(ctx context.Context, id string) ([]KeyframeInfo, error)
	// Keyframe returns the kept keyframe of session id at step, or nil if
	// there is none.
	Keyframe(ctx context.Context, id string, step int) (*Keyframe, error)
	// DeleteSession forgets session id and everything attached to it. It
	// is not an error if it does not exist.
	DeleteSession(ctx context.Context, id string) error
	// Comparisons returns every kept comparison, oldest first.
	Comparisons(ctx context.Context) ([]ComparisonRecord, error)
	// PutDataset keeps an uploaded dataset (its file and its settings),
	// replacing one of the same name.
	PutDataset(ctx context.Context, d DatasetRecord) error
	// Datasets returns every kept uploaded dataset, oldest first.
	Datasets(ctx context.Context) ([]DatasetRecord, error)
	// DeleteDataset forgets an uploaded dataset.
	DeleteDataset(ctx context.Context, name string) error
	// Usage returns the bytes the store occupies.
	Usage(ctx context.Context) (int64, error)
	// Trim frees space until Usage is at most max bytes: the oldest ended
	// sessions lose their weights (epochs' and early ones) first, then
	// their keyframes, then their frames; curve points,
	// heads, comparisons and datasets are never trimmed. A run stopped by
	// a shutdown (Reason ShutdownReason) has not ended: it waits to resume
	// from its checkpoint and keeps everything. It reports what it
	// removed.
	Trim(ctx context.Context, max int64) (TrimReport, error)
	// Close flushes and releases the store.
	Close() error
}

// ErrNewerStore is wrapped by the error of opening a store written by a
// newer version of aelab: its schema is unknown to this one.
var ErrNewerStore = errors.New("the store was written by a newer version of aelab")

// Batch is a set of changes written together. Zero fields write nothing.
type Batch struct {
	Sessions    []SessionRecord          // inserted or replaced (by ID)
	Points      map[string][]SeriesPoint // appended, per session ID
	Frames      map[string]Frames        // non-nil fields replace the kept ones, per session ID
	Checkpoints []Checkpoint             // added (a checkpoint of the same session and step is replaced)
	Keyframes   []Keyframe               // added (a keyframe of the same session and step is replaced)
	// EarlyWeights are weights of a run's first steps (earlyweights.go),
	// Params only: added, one of the same session and step replaced.
	EarlyWeights []Checkpoint
	Comparisons  []ComparisonRecord // inserted or replaced (by ID)
	// Rewind deletes, per session ID, the curve points, keyframes and
	// early weights whose step is after the given one, before this batch's
	// Points, Keyframes and EarlyWeights are added: how a resumed session
	// forgets what it recorded past its checkpoint.
	Rewind map[string]int
}

// Empty reports whether b writes nothing.
func (b *Batch) Empty() bool {
	return len(b.Sessions) == 0 && len(b.Points) == 0 && len(b.Frames) == 0 &&
		len(b.Checkpoints) == 0 && len(b.Comparisons) == 0 && len(b.Rewind) == 0 &&
		len(b.Keyframes) == 0 && len(b.EarlyWeights) == 0
}

// SessionRecord is the head of a kept session: everything but its curves,
// frames and weights.
type SessionRecord struct {
	ID        string
	OwnerHash []byte // SHA-256 of the owner token; the token itself is never kept
	// BrowserHash is the SHA-256 of the owner key of the browser that
	// started the session (nil if none).
	BrowserHash []byte
	Config      Config
	State       State
	Reason      string // the error or stop reason shown with the state
	Epoch       int
	Step        int
	TotalSteps  int
	TrainLoss   *float64
	TestLoss    *float64
	CreatedAt   time.Time
	StartedAt   time.Time // zero if it never ran
	FinishedAt  time.Time // zero unless ended
	// Origin says where the session came from: "" for a training of this
	// server, "import" for weights uploaded through POST /api/models.
	Origin string
	// ResumedAt is where the session last resumed from a checkpoint after
	// an interruption (nil if it never did).
	ResumedAt *ResumePoint
}

// Series names of SeriesPoint; other names are metrics (e.g.
// "psnr_denoised").
const (
	SeriesTrain = "train"
	SeriesTest  = "test"
)

// SeriesPoint is one point of one of a session's curves.
type SeriesPoint struct {
	Series string
	Step   int
	Epoch  float64
	Value  float64
}

// Frames are the latest pictures of a session, what a late viewer sees.
type Frames struct {
	Progress        *Progress
	Latent          *Latent
	Reconstructions *Reconstructions
	Anomaly         *Anomaly
}

// Checkpoint is a session's weights after a given step, in the engine's
// layout (ae.Snapshot.Params).
type Checkpoint struct {
	SessionID string
	Step      int
	Epoch     int
	Final     bool // the weights at the end of the run
	Params    []float32
	// State is the rest of what a training needs to continue exactly
	// where it was (the optimizer's moments and step count, the positions
	// of its random-number generators), as encoded by the trainer
	// (trainstate.go). It is nil in checkpoints written before the store's
	// schema kept it: such a run resumes with a fresh optimizer. Only the
	// latest checkpoint of a session needs it: a store clears the state of
	// the older ones when it adds a later one, and the final checkpoint of
	// a completed run has none.
	State []byte
}

// ComparisonRecord is a kept comparison: its members by session ID, with
// their labels.
type ComparisonRecord struct {
	ID        string
	Kind      ComparisonKind
	CreatedAt time.Time
	Members   []ComparisonMember
}

// ComparisonMember is one session of a kept comparison.
type ComparisonMember struct {
	SessionID string
	Label     string
}

// DatasetRecord is a kept uploaded dataset: the file as uploaded and the
// settings it was parsed with, enough to parse it again at start.
type DatasetRecord struct {
	Name      string
	Filename  string
	Options   datasets.CSVOptions
	Data      []byte
	CreatedAt time.Time
	// OwnerHash is the SHA-256 of the owner key of the browser that
	// uploaded it (nil for nobody's, and for uploads kept before the
	// store's schema had it).
	OwnerHash []byte
}

// TrimReport says what Store.Trim removed.
type TrimReport struct {
	WeightsOf   []string // sessions whose weights were removed
	KeyframesOf []string // sessions whose keyframes (their replay) were removed
	FramesOf    []string // sessions whose frames were removed
	Usage       int64    // bytes used afterwards
}
