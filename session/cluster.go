package session

import (
	"context"
	"encoding/json"
	"errors"
)

// Several replicas behind one address. Without a cluster (Options.Jobs
// nil) a Manager trains what it admits itself, as it always did. With one
// (internal/bus implements these interfaces over NATS JetStream), the door
// still admits every start on the replica that receives it, but the
// training goes on a queue shared by all replicas; each replica takes jobs
// from it only while it has a free running slot, trains them, publishes
// their live messages for viewers on any replica, and answers the owner's
// actions relayed from wherever they arrive. A replica that dies stops
// renewing its jobs; the queue gives them to another, which resumes them
// from their last checkpoint in the shared store.

// Job is a training on the shared queue: the head of its session as
// stored when it was admitted (what a replica needs to train it if the
// store has not seen it yet).
type Job struct {
	Record SessionRecord `json:"record"`
	// Owner is the address group whose share of trainings the run counts
	// in ("" for none): the replica training it renews and releases it in
	// the cluster's live count (livecount.go).
	Owner string `json:"owner,omitempty"`
}

// Delivery is one job handed to this replica. The replica keeps it while
// it trains (InProgress, more often than the queue's acknowledgement
// wait), then acknowledges it (Ack) when the run has ended, or hands it
// back (Nak) for another replica to take at once.
type Delivery interface {
	Job() Job
	// Attempt is 1 the first time the job is delivered, more after a
	// replica died with it or handed it back.
	Attempt() int
	InProgress() error
	Ack() error
	Nak() error
}

// JobQueue is the queue of trainings shared by the replicas.
type JobQueue interface {
	// Put adds a job. It fails with ErrQueueFull when the queue holds as
	// many jobs as it may.
	Put(ctx context.Context, j Job) error
	// Waiting is how many jobs no replica has taken yet.
	Waiting(ctx context.Context) (int, error)
	// Next waits for one job for this replica, until ctx ends.
	Next(ctx context.Context) (Delivery, error)
}

// ErrQueueFull is returned by JobQueue.Put when the shared queue is full.
var ErrQueueFull = errors.New("the shared training queue is full")

// ErrNoTrainer is returned by RunRelay.Ask when no replica trains the run
// (it is queued, or its replica died and the queue has not yet given it to
// another).
var ErrNoTrainer = errors.New("no replica is training this run")

// RunMessage is one live message of a run as the bus carries it: Data is
// the protocol message (docs/protocol.md); Incarnation names one training
// of the run on one replica (a run resumed elsewhere gets a new one) and
// Seq counts its messages from 1.
type RunMessage struct {
	Incarnation string
	Seq         uint64
	// Handover marks the state message of a run whose replica stopped or
	// died: another replica takes it over, so viewers keep their stream.
	Handover bool
	Data     []byte
}

// RunEvents carries each run's live messages between replicas.
type RunEvents interface {
	// Publish sends m to every replica watching run id. It never blocks
	// (a message that cannot be buffered is dropped).
	Publish(id string, m RunMessage)
	// Watch calls f with every message of run id, in order, until stop.
	Watch(id string, f func(RunMessage)) (stop func(), err error)
}

// RunRequest is what a replica asks of the replica training a run: its
// snapshot, its live weights, or an owner's action.
type RunRequest struct {
	Action   string    `json:"action"` // snapshot, weights, pause, resume, stop, set, step
	Settings *Settings `json:"settings,omitempty"`
	Batches  int       `json:"batches,omitempty"`
	// Version and Offset name a chunk of the weights after the first
	// (action weights; liveweights.go).
	Version uint64 `json:"version,omitempty"`
	Offset  int    `json:"offset,omitempty"`
}

// RunReply is the answer to a RunRequest.
type RunReply struct {
	Incarnation string          `json:"incarnation,omitempty"`
	Seq         uint64          `json:"seq,omitempty"`
	Snapshot    json.RawMessage `json:"snapshot,omitempty"`
	Step        *StepResult     `json:"step,omitempty"`
	Weights     *WeightsChunk   `json:"weights,omitempty"`
	Error       *WireError      `json:"error,omitempty"`
}

// WireError is an *Error as the bus carries it.
type WireError struct {
	Code    Code        `json:"code"`
	Message string      `json:"message"`
	Field   string      `json:"field,omitempty"`
	Fields  FieldErrors `json:"fields,omitempty"`
}

func toWire(err error) *WireError {
	if err == nil {
		return nil
	}
	var e *Error
	if !errors.As(err, &e) {
		return &WireError{Code: EInternal, Message: "the replica training this run failed to answer"}
	}
	return &WireError{Code: e.Code, Message: e.Message, Field: e.Field, Fields: e.Fields}
}

func (w *WireError) err() error {
	if w == nil {
		return nil
	}
	return &Error{Code: w.Code, Message: w.Message, Field: w.Field, Fields: w.Fields}
}

// RunRelay carries requests about a run to the replica that trains it.
type RunRelay interface {
	// Serve answers the requests about run id with h until stop.
	Serve(id string, h func(context.Context, RunRequest) RunReply) (stop func(), err error)
	// Ask sends r to the replica training run id and returns its answer;
	// ErrNoTrainer if none does.
	Ask(ctx context.Context, id string, r RunRequest) (RunReply, error)
}

// Cluster is the wiring of a replica into a cluster; Options.Cluster nil
// (the default) keeps everything in this process.
type Cluster struct {
	Jobs   JobQueue
	Events RunEvents
	Relay  RunRelay
	// Live, when set, counts each address's live trainings across the
	// replicas (internal/sharedlimit); nil: each replica counts those its
	// door admitted.
	Live LiveCount
	// Replica names this replica (shown in Info.Replica).
	Replica string
}
