package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/aelab/aelab/session"
)

// fetchWait is how long one Next waits for a job before it returns none,
// so that the replica checks its slots again.
const fetchWait = 2 * time.Second

// Put adds a job to the shared queue (session.JobQueue).
func (b *Bus) Put(ctx context.Context, j session.Job) error {
	data, err := json.Marshal(j)
	if err != nil {
		return err
	}
	_, err = b.js.Publish(ctx, JobSubject, data)
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode == jsErrStoreFailed {
		return session.ErrQueueFull
	}
	if err != nil {
		return fmt.Errorf("bus: queue a job: %w", err)
	}
	return nil
}

// Waiting is how many jobs no replica has taken yet.
func (b *Bus) Waiting(ctx context.Context) (int, error) {
	info, err := b.consumer().Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("bus: the queue's state: %w", err)
	}
	return int(info.NumPending), nil
}

// Lag describes the shared queue, for /metrics.
type Lag struct {
	Waiting     int // jobs no replica has taken
	Held        int // jobs taken and not yet acknowledged
	Redelivered int // jobs delivered more than once and not yet acknowledged
}

// Lag returns the queue's state.
func (b *Bus) Lag(ctx context.Context) (Lag, error) {
	info, err := b.consumer().Info(ctx)
	if err != nil {
		return Lag{}, err
	}
	return Lag{Waiting: int(info.NumPending), Held: info.NumAckPending, Redelivered: info.NumRedelivered}, nil
}

// Next waits up to fetchWait for one job for this replica; nil, nil if
// none came.
func (b *Bus) Next(ctx context.Context) (session.Delivery, error) {
	wait := fetchWait
	if d, ok := ctx.Deadline(); ok && time.Until(d) < wait {
		wait = max(time.Until(d), 100*time.Millisecond)
	}
	batch, err := b.consumer().Fetch(1, jetstream.FetchMaxWait(wait))
	if err != nil {
		return nil, err
	}
	for msg := range batch.Messages() {
		var j session.Job
		if err := json.Unmarshal(msg.Data(), &j); err != nil || j.Record.ID == "" {
			b.log.Error("bus: a job that is not one was dropped", "err", err)
			_ = msg.Term()
			continue
		}
		attempt := 1
		if md, err := msg.Metadata(); err == nil {
			attempt = int(md.NumDelivered)
		}
		return &delivery{b: b, msg: msg, job: j, attempt: attempt}, nil
	}
	if err := batch.Error(); err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, jetstream.ErrNoMessages) {
		return nil, err
	}
	return nil, nil
}

// delivery is one job handed to this replica.
type delivery struct {
	b       *Bus
	msg     jetstream.Msg
	job     session.Job
	attempt int
}

func (d *delivery) Job() session.Job  { return d.job }
func (d *delivery) Attempt() int      { return d.attempt }
func (d *delivery) InProgress() error { return d.msg.InProgress() }

// Ack acknowledges the job and waits for the server's confirmation.
func (d *delivery) Ack() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return d.msg.DoubleAck(ctx)
}

// Nak hands the job back for another replica to take at once.
func (d *delivery) Nak() error {
	if err := d.msg.Nak(); err != nil {
		return err
	}
	return d.b.nc.Flush()
}

// NakAfter hands the job back for a replica to take after wait.
func (d *delivery) NakAfter(wait time.Duration) error {
	if err := d.msg.NakWithDelay(wait); err != nil {
		return err
	}
	return d.b.nc.Flush()
}

// jsErrStoreFailed is JetStream's error code for a message the stream
// refused to store (with DiscardNew: "maximum messages exceeded").
const jsErrStoreFailed jetstream.ErrorCode = 10077
