package main

import (
	"context"
	"log/slog"

	"github.com/aelab/aelab/handlers"
	"github.com/aelab/aelab/internal/bus"
	"github.com/aelab/aelab/internal/sharedlimit"
	"github.com/aelab/aelab/session"
)

// startLimiterOf is the start limit's keeper: with a bus, NATS key-value
// shared by every replica (so an address has one budget across them);
// without one, or with no limit (-start-burst 0), nil (this process's).
func startLimiterOf(ctx context.Context, b *bus.Bus, lim session.RateLimit, log *slog.Logger) (session.Limiter, error) {
	if b == nil || lim.Burst < 1 {
		return nil, nil
	}
	l, err := sharedlimit.New(ctx, b.JetStream(), lim, nil, log)
	if err != nil {
		return nil, err
	}
	log.Info("the start limit is shared by the replicas", "bucket", sharedlimit.Bucket, "burst", lim.Burst, "per_minute", lim.PerMinute)
	return l, nil
}

// readyChecks are the dependencies GET /readyz probes: the store (a cheap
// query on it) and, with -bus, the bus (a JetStream round trip).
func readyChecks(st session.Store, b *bus.Bus) []handlers.ReadyCheck {
	checks := []handlers.ReadyCheck{{Name: "store", Check: func(ctx context.Context) error {
		_, err := st.Usage(ctx)
		return err
	}}}
	if b != nil {
		checks = append(checks, handlers.ReadyCheck{Name: "bus", Check: func(ctx context.Context) error {
			_, err := b.JetStream().AccountInfo(ctx)
			return err
		}})
	}
	return checks
}
