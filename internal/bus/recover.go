package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/aelab/aelab/session"
)

// A lost job stream: NATS restarted without its storage, or someone
// deleted the stream or its consumer. The jobs it held are gone, those
// waiting and those held by replicas alike. Recover finds that out and
// makes the stream and the consumer again; the session package then puts
// the jobs of the runs the store lists as live back on the queue
// (session.QueueRecovery), each once whichever replicas do it.

// Recover makes the job stream and its consumer again if NATS lost them.
// It reports whether it did (or Connect did, the first time), and when
// the stream it found or made was made: replicas that see the same loss
// see the same time, and the runs admitted since have their jobs on it.
func (b *Bus) Recover(ctx context.Context) (lost bool, since time.Time, err error) {
	info, err := b.js.Stream(ctx, JobStream)
	if err == nil {
		_, err = b.consumer().Info(ctx)
	}
	b.mu.Lock()
	made := b.made
	b.made = false
	b.mu.Unlock()
	switch {
	case err == nil:
		// A stream this replica made when it connected may have replaced
		// one NATS lost while no replica ran: the runs the store lists as
		// live are put back (none on a new deployment).
		lost = made
	case errors.Is(err, jetstream.ErrStreamNotFound), errors.Is(err, jetstream.ErrConsumerNotFound):
		lost = true
		b.log.Warn("bus: the job stream or its consumer is gone (NATS lost its storage?); making them again", "stream", JobStream, "err", err)
		if err := b.ensureStreams(ctx, b.opt); err != nil {
			return true, time.Time{}, err
		}
		if info, err = b.js.Stream(ctx, JobStream); err != nil {
			return true, time.Time{}, fmt.Errorf("bus: stream %s: %w", JobStream, err)
		}
	default:
		return false, time.Time{}, fmt.Errorf("bus: the job stream's state: %w", err)
	}
	return lost, info.CachedInfo().Created, nil
}

// Requeue puts j back on the queue, once for the stream made at since
// however many replicas requeue it (JetStream drops a message whose ID it
// saw in the last 2 minutes).
func (b *Bus) Requeue(ctx context.Context, j session.Job, since time.Time) error {
	data, err := json.Marshal(j)
	if err != nil {
		return err
	}
	msg := nats.NewMsg(JobSubject)
	msg.Data = data
	_, err = b.js.PublishMsg(ctx, msg, jetstream.WithMsgID("requeue "+j.Record.ID+" "+since.UTC().Format(time.RFC3339Nano)))
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode == jsErrStoreFailed {
		return session.ErrQueueFull
	}
	if err != nil {
		return fmt.Errorf("bus: requeue a job: %w", err)
	}
	return nil
}

var _ session.QueueRecovery = (*Bus)(nil)
