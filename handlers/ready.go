package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/aelab/aelab/session"
)

// ReadyCheck is one dependency GET /readyz probes: the store, the bus.
type ReadyCheck struct {
	Name  string                          // as reported: "store", "bus"
	Check func(ctx context.Context) error // nil error: reachable
}

// readyTimeout bounds each probe of a dependency.
const readyTimeout = 2 * time.Second

// readyEvery is how often the dependencies are probed at most: requests
// within it share the last answer, so a flood of /readyz is not a flood of
// queries on the database.
const readyEvery = time.Second

// readiness probes the dependencies at most once per readyEvery.
type readiness struct {
	m      *session.Manager
	checks []ReadyCheck
	log    *slog.Logger
	now    func() time.Time

	mu     sync.Mutex // held while probing: concurrent requests wait for one probe
	at     time.Time
	ok     bool
	report map[string]string
}

// handleReady answers 200 when this server can serve and train: it is not
// shutting down and every dependency answers; else 503 naming which one
// fails (details go to the log, not to the public answer). A reverse
// proxy's active health check uses it to send no one to a server that
// cannot reach its store or bus; /healthz says only that the process lives.
func handleReady(m *session.Manager, checks []ReadyCheck, log *slog.Logger) http.Handler {
	rd := &readiness{m: m, checks: checks, log: log, now: time.Now}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m.Closing() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "shutting_down"})
			return
		}
		ok, report := rd.probe(r.Context())
		if !ok {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "not_ready", "checks": report})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "checks": report})
	})
}

// probe runs every check at once, each within readyTimeout, unless the last
// probe is younger than readyEvery.
func (rd *readiness) probe(ctx context.Context) (bool, map[string]string) {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	if now := rd.now(); !rd.at.IsZero() && now.Sub(rd.at) < readyEvery {
		return rd.ok, rd.report
	}
	errs := make([]error, len(rd.checks))
	var wg sync.WaitGroup
	for i, c := range rd.checks {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readyTimeout)
			defer cancel()
			errs[i] = c.Check(cctx)
		})
	}
	wg.Wait()
	ok, report := true, make(map[string]string, len(rd.checks))
	for i, c := range rd.checks {
		report[c.Name] = "ok"
		if errs[i] != nil {
			ok = false
			report[c.Name] = "failing"
			rd.log.Warn("not ready", "check", c.Name, "err", errs[i])
		}
	}
	rd.at, rd.ok, rd.report = rd.now(), ok, report
	return ok, report
}
