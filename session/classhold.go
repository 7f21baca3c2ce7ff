package session

import (
	"slices"
	"time"
)

// A class keeps at most MaxRuns runs, whichever replicas start them. A
// start first keeps a place in the class (a RunHold, written to the class
// with the version it was read at, so the bound is checked on the record
// as the store keeps it: two replicas starting the last run at once
// cannot both get it), then starts the training, then writes the run in
// its place, or gives the place back if the training was refused. A place
// whose replica died before writing its run expires after runHoldFor.

// runHoldFor is how long a place kept for a run being started counts.
// Starting a training (the door, the store, the shared queue) takes well
// under it.
const runHoldFor = 2 * time.Minute

// hold keeps a place for a new run in the class, if it is open and its
// runs and places kept are fewer than MaxRuns.
func (c *Class) hold() (RunHold, error) {
	h := RunHold{ID: newID(), Until: time.Now().Add(runHoldFor).UTC()}
	err := c.change(func(r *ClassRecord) (bool, error) {
		dropExpired(r)
		switch {
		case !r.Open:
			return false, Errorf(EForbidden, "the class %s is closed: your teacher has stopped new runs", c.name)
		case len(r.Runs)+len(r.Holds) >= c.book.lim.MaxRuns:
			return false, Errorf(EConflict, "the class %s has %d runs, the most it may keep: ask your teacher for a new class", c.name, c.book.lim.MaxRuns)
		}
		r.Holds = append(r.Holds, h)
		return true, nil
	})
	return h, err
}

// release gives back place h, writing run in it (nil: the training was
// refused). The run is written whatever the class has become meanwhile:
// it is training already.
func (c *Class) release(h RunHold, run *ClassRunRecord) {
	_ = c.change(func(r *ClassRecord) (bool, error) {
		n := len(r.Holds)
		r.Holds = slices.DeleteFunc(r.Holds, func(x RunHold) bool { return x.ID == h.ID })
		changed := len(r.Holds) != n
		if run != nil && !slices.ContainsFunc(r.Runs, func(x ClassRunRecord) bool { return x.SessionID == run.SessionID }) {
			r.Runs = append(r.Runs, *run)
			changed = true
		}
		return changed, nil
	})
}

// dropExpired forgets the places of r whose replica never wrote their run.
func dropExpired(r *ClassRecord) {
	now := time.Now()
	r.Holds = slices.DeleteFunc(r.Holds, func(x RunHold) bool { return !x.Until.After(now) })
}
