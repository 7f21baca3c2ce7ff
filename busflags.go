package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/aelab/aelab/internal/bus"
	"github.com/aelab/aelab/internal/sharedlimit"
	"github.com/aelab/aelab/session"
)

// checkBusFlags refuses a -bus that is not a NATS URL, and -bus with
// -ephemeral (replicas must share one store).
func checkBusFlags(c config) error {
	if c.busURL == "" {
		return nil
	}
	if !strings.HasPrefix(c.busURL, "nats://") && !strings.HasPrefix(c.busURL, "tls://") {
		return errors.New("-bus must be a NATS URL, nats://host:4222 (leave it out to train everything in this process)")
	}
	if c.ephemeral {
		return errors.New("-bus and -ephemeral do not go together: the replicas must share one store (-store postgres://…)")
	}
	return nil
}

// connectBus connects to the bus of -bus; without it, it returns nil
// (everything stays in this process). Other shared state (key-value
// buckets) uses the same connection (Bus.JetStream, Bus.KeyValue).
func connectBus(ctx context.Context, cfg config, log *slog.Logger) (*bus.Bus, error) {
	if cfg.busURL == "" {
		return nil, nil
	}
	name := cfg.replica
	if name == "" {
		host, _ := os.Hostname()
		name = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	b, err := bus.Connect(ctx, cfg.busURL, bus.Options{Replica: name, Logger: log})
	if err != nil {
		return nil, err
	}
	log.Info("on the bus", "replica", b.Replica(), "jobs", bus.JobStream)
	return b, nil
}

// clusterOf is the session wiring of b, with each address's live
// trainings counted across the replicas in NATS key-value; nil without a
// bus.
func clusterOf(ctx context.Context, b *bus.Bus, log *slog.Logger) (*session.Cluster, error) {
	if b == nil {
		return nil, nil
	}
	c := b.Cluster()
	live, err := sharedlimit.NewLive(ctx, b.JetStream(), log)
	if err != nil {
		return nil, err
	}
	c.Live = live
	return c, nil
}

// classEventsOf shares the classes through b; nil without a bus.
func classEventsOf(b *bus.Bus) session.ClassEvents {
	if b == nil {
		return nil
	}
	return b
}

// busLag reads the shared queue for /metrics; nil without a bus.
func busLag(b *bus.Bus) func() (int, int, int, bool) {
	if b == nil {
		return nil
	}
	return func() (int, int, int, bool) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		l, err := b.Lag(ctx)
		return l.Waiting, l.Held, l.Redelivered, err == nil
	}
}
