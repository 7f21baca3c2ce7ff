package main

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// doorWatch polls the server's /healthz while a scenario runs and keeps the
// peaks of what its admission door reports: the memory reserved (and the
// trainings' shared part of it), the trainings waiting in the queue, and
// the budget.
type doorWatch struct {
	Budget, PeakUsed, PeakShared int64
	PeakQueued, PeakRunning      int
	Polls                        int
}

// run polls every interval until ctx ends.
func (w *doorWatch) run(ctx context.Context, base string, every time.Duration) {
	c := &http.Client{Timeout: 5 * time.Second}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		w.poll(ctx, c, base)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (w *doorWatch) poll(ctx context.Context, c *http.Client, base string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
	if err != nil {
		return
	}
	res, err := c.Do(req)
	if err != nil {
		return
	}
	defer res.Body.Close()
	var h struct {
		Stats struct {
			Running      int   `json:"running"`
			Queued       int   `json:"queued"`
			MemoryBudget int64 `json:"memory_budget"`
			MemoryUsed   int64 `json:"memory_used"`
			MemoryShared int64 `json:"memory_shared"`
		} `json:"stats"`
	}
	if res.StatusCode != http.StatusOK || json.NewDecoder(res.Body).Decode(&h) != nil {
		return
	}
	s := h.Stats
	w.Polls++
	w.Budget = s.MemoryBudget
	w.PeakUsed, w.PeakShared = max(w.PeakUsed, s.MemoryUsed), max(w.PeakShared, s.MemoryShared)
	w.PeakQueued, w.PeakRunning = max(w.PeakQueued, s.Queued), max(w.PeakRunning, s.Running)
}
