// Package bus connects replicas of aelab through NATS JetStream (-bus
// nats://…): the shared queue of trainings (queue.go), each run's live
// messages (events.go) and the requests about a run to the replica that
// trains it (relay.go). It implements the narrow interfaces of package
// session (session.Cluster); session itself knows nothing of NATS.
package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/aelab/aelab/session"
)

// Bus is one replica's connection to the bus.
type Bus struct {
	nc      *nats.Conn
	js      jetstream.JetStream
	log     *slog.Logger
	replica string
	opt     Options // for making the job stream again (recover.go)

	mu   sync.Mutex
	jobs jetstream.Consumer // the job consumer (made again if NATS lost it)
	made bool               // Connect made the job stream: the first Recover reports it lost

	answering chan struct{} // requests about runs being answered (relay.go, maxAnswering)
}

// consumer is the job consumer.
func (b *Bus) consumer() jetstream.Consumer {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.jobs
}

// Options configure Connect.
type Options struct {
	// Replica names this replica in logs and in Info.Replica ("" → the
	// connection's server-assigned id).
	Replica string
	Logger  *slog.Logger
	// MaxJobs bounds the jobs the queue holds, taken or not (0 → 10,000).
	MaxJobs int64
	// AckWait is how long a job taken by a replica that stops renewing it
	// waits before another replica gets it (0 → 10 s).
	AckWait time.Duration
}

// Connect connects to the NATS server at url and makes sure the streams
// and the consumer the replicas share exist.
func Connect(ctx context.Context, url string, opt Options) (*Bus, error) {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	log := opt.Logger
	nc, err := nats.Connect(url,
		nats.Name("aelab "+opt.Replica),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("bus: disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) { log.Info("bus: reconnected", "server", nc.ConnectedUrlRedacted()) }),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subj := ""
			if sub != nil {
				subj = sub.Subject
			}
			log.Warn("bus: error", "subject", subj, "err", err)
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("bus: connect to %s: %w", redact(url), err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("bus: %w", err)
	}
	b := &Bus{nc: nc, js: js, log: log, replica: opt.Replica, opt: opt, answering: make(chan struct{}, maxAnswering)}
	if b.replica == "" {
		if id, err := nc.GetClientID(); err == nil {
			b.replica = fmt.Sprintf("replica-%d", id)
		}
	}
	if _, err := js.Stream(ctx, JobStream); errors.Is(err, jetstream.ErrStreamNotFound) {
		b.made = true // lost before this replica started, or never made: Recover tells
	}
	if err := b.ensureStreams(ctx, opt); err != nil {
		nc.Close()
		return nil, err
	}
	return b, nil
}

// Cluster returns the bus as the session package's cluster wiring.
func (b *Bus) Cluster() *session.Cluster {
	return &session.Cluster{Jobs: b, Events: b, Relay: b, Replica: b.replica}
}

// Replica is the name of this replica.
func (b *Bus) Replica() string { return b.replica }

// JetStream returns the JetStream context of the connection, for other
// shared state (key-value buckets such as the per-address start limit).
func (b *Bus) JetStream() jetstream.JetStream { return b.js }

// Conn returns the NATS connection.
func (b *Bus) Conn() *nats.Conn { return b.nc }

// KeyValue returns the key-value bucket named bucket, creating it with
// cfg (cfg.Bucket is set to bucket) if it does not exist.
func (b *Bus) KeyValue(ctx context.Context, bucket string, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	kv, err := b.js.KeyValue(ctx, bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		cfg.Bucket = bucket
		kv, err = b.js.CreateOrUpdateKeyValue(ctx, cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("bus: key-value bucket %s: %w", bucket, err)
	}
	return kv, nil
}

// Close sends what is buffered and closes the connection.
func (b *Bus) Close() {
	_ = b.nc.Flush()
	b.nc.Close()
}

// redact hides the password of a URL in errors.
func redact(url string) string {
	if i, j := indexAfter(url, "://"), lastIndex(url, '@'); i >= 0 && j > i {
		return url[:i] + "…" + url[j:]
	}
	return url
}

func indexAfter(s, sep string) int {
	for i := 0; i+len(sep) <= len(s); i++ {
		if s[i:i+len(sep)] == sep {
			return i + len(sep)
		}
	}
	return -1
}

func lastIndex(s string, c byte) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == c {
			return i
		}
	}
	return -1
}
