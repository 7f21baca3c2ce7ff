package session

import (
	"context"
	"slices"
	"time"
)

// An announcement of a class change may be lost (the bus carries it at
// most once), and a replica that missed one would show the class as it was
// until the next change it hears of. So each replica of a cluster also
// reads again, every classResync, the classes it serves now: those with a
// dashboard open here, and those with a run that has not ended in this
// copy (its tile is followed here). The work per tick is bounded: at most
// classResyncBatch reads, taken in turn through the classes served, so a
// replica serving many classes reads each of them every
// ceil(n/classResyncBatch) ticks.

// classResync is how often a replica reads again the classes it serves.
const classResync = 2 * time.Second

// classResyncBatch bounds the classes read again per tick.
const classResyncBatch = 8

// resyncer reads again, every classResync, the classes this replica
// serves, at most classResyncBatch per tick, in turn.
func (b *ClassBook) resyncer() {
	defer b.wg.Done()
	t := time.NewTicker(classResync)
	defer t.Stop()
	last := ""
	for {
		select {
		case <-b.ctx.Done():
			return
		case <-t.C:
		}
		ids := b.served()
		for _, id := range nextInTurn(ids, last, classResyncBatch) {
			ctx, cancel := context.WithTimeout(b.ctx, classIO)
			b.refresh(ctx, id, 0)
			cancel()
			last = id
		}
	}
}

// served returns the ids of the classes this replica serves now, sorted.
func (b *ClassBook) served() []string {
	b.mu.Lock()
	classes := make([]*Class, 0, len(b.byID))
	for _, c := range b.byID {
		classes = append(classes, c)
	}
	b.mu.Unlock()
	var ids []string
	for _, c := range classes {
		if c.Watchers() > 0 || c.hasLiveRuns() {
			ids = append(ids, c.id)
		}
	}
	slices.Sort(ids)
	return ids
}

// hasLiveRuns reports whether a run of the class has not ended in this
// copy.
func (c *Class) hasLiveRuns() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.ContainsFunc(c.runs, func(r *ClassRun) bool { return !r.State.Terminal() })
}

// nextInTurn returns up to n of the sorted ids, starting after last and
// wrapping around.
func nextInTurn(ids []string, last string, n int) []string {
	if len(ids) <= n {
		return ids
	}
	i, _ := slices.BinarySearch(ids, last)
	if i < len(ids) && ids[i] == last {
		i++
	}
	out := make([]string, 0, n)
	for k := 0; k < n; k++ {
		out = append(out, ids[(i+k)%len(ids)])
	}
	return out
}
