package main

import (
	"context"
	"fmt"
	"time"
)

// trainingTotals is what the server says about a group of trainings run at
// once.
type trainingTotals struct {
	completed   int
	samples     int       // steps × batch, summed
	first, last time.Time // earliest start, latest finish
	runTimes    []float64 // seconds from start to finish, per training
	notes       []string  // trainings that did not complete
}

// throughput is the group's samples per second from its first start to its
// last finish.
func (t trainingTotals) throughput() float64 { return rateOf(t.samples, t.last.Sub(t.first)) }

// totalsOf asks the server about each training of ids.
func totalsOf(ctx context.Context, a *api, ids []string) (trainingTotals, error) {
	var t trainingTotals
	for _, id := range ids {
		in, err := a.session(ctx, id)
		if err != nil {
			return t, err
		}
		if in.State == "completed" {
			t.completed++
		} else {
			t.notes = append(t.notes, fmt.Sprintf("session %s ended %s %s", id, in.State, in.Error))
		}
		t.samples += in.Step * in.Config.BatchSize
		if in.StartedAt != nil && in.FinishedAt != nil {
			if t.first.IsZero() || in.StartedAt.Before(t.first) {
				t.first = *in.StartedAt
			}
			if in.FinishedAt.After(t.last) {
				t.last = *in.FinishedAt
			}
			t.runTimes = append(t.runTimes, in.FinishedAt.Sub(*in.StartedAt).Seconds())
		}
	}
	return t, nil
}
