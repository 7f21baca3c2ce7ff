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
// the jobs of the runs the store lists as live and no replica trains back
// on the queue (session.QueueRecovery), each once whichever replicas do it.

// Recover makes the job stream and its consumer again if NATS lost them.
// It reports whether it did, and names the stream it found or made (its
// creation time): replicas that see the same loss name the same stream.
func (b *Bus) Recover(ctx context.Context) (lost bool, epoch string, err error) {
	info, err := b.js.Stream(ctx, JobStream)
	if err == nil {
		_, err = b.consumer().Info(ctx)
	}
	switch {
	case err == nil:
	case errors.Is(err, jetstream.ErrStreamNotFound), errors.Is(err, jetstream.ErrConsumerNotFound):
		lost = true
		b.log.Warn("bus: the job stream or its consumer is gone (NATS lost its storage?); making them again", "stream", JobStream, "err", err)
		if err := b.ensureStreams(ctx, b.opt); err != nil {
			return true, "", err
		}
		if info, err = b.js.Stream(ctx, JobStream); err != nil {
			return true, "", fmt.Errorf("bus: stream %s: %w", JobStream, err)
		}
	default:
		return false, "", fmt.Errorf("bus: the job stream's state: %w", err)
	}
	ci := info.CachedInfo()
	return lost, ci.Created.UTC().Format(time.RFC3339Nano), nil
}

// Requeue puts j back on the queue, once for the stream named epoch
// however many replicas requeue it (JetStream drops a message whose ID it
// saw in the last 2 minutes).
func (b *Bus) Requeue(ctx context.Context, j session.Job, epoch string) error {
	data, err := json.Marshal(j)
	if err != nil {
		return err
	}
	msg := nats.NewMsg(JobSubject)
	msg.Data = data
	_, err = b.js.PublishMsg(ctx, msg, jetstream.WithMsgID("requeue "+j.Record.ID+" "+epoch))
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
