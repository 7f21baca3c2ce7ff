package bus

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Names of the bus: subjects and JetStream objects every replica agrees
// on (docs/deploy.md lists them).
const (
	// JobStream is the work-queue stream of trainings; each message is a
	// session.Job.
	JobStream = "AELAB_JOBS"
	// JobSubject is the subject jobs are published on.
	JobSubject = "aelab.jobs"
	// JobConsumer is the durable pull consumer every replica takes jobs
	// from.
	JobConsumer = "trainers"
	// RunSubject prefixes the subject of each run's live messages:
	// aelab.run.<id>.
	RunSubject = "aelab.run."
	// AskSubject prefixes the subject of requests about a run to the
	// replica that trains it: aelab.ask.<id>.
	AskSubject = "aelab.ask."
)

// ensureStreams creates or updates the job stream and its consumer.
func (b *Bus) ensureStreams(ctx context.Context, opt Options) error {
	if opt.MaxJobs <= 0 {
		opt.MaxJobs = 10000
	}
	if opt.AckWait <= 0 {
		opt.AckWait = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := b.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        JobStream,
		Description: "aelab trainings waiting for or held by a replica",
		Subjects:    []string{JobSubject},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		MaxMsgs:     opt.MaxJobs,
		MaxMsgSize:  1 << 20,
		Discard:     jetstream.DiscardNew,
	})
	if err != nil {
		return fmt.Errorf("bus: stream %s: %w", JobStream, err)
	}
	jobs, err := st.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       JobConsumer,
		Description:   "replicas taking trainings while they have a free slot",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       opt.AckWait,
		MaxDeliver:    -1,
		MaxAckPending: -1,
	})
	if err != nil {
		return fmt.Errorf("bus: consumer %s: %w", JobConsumer, err)
	}
	b.mu.Lock()
	b.jobs = jobs
	b.mu.Unlock()
	return nil
}
