package session

import (
	"context"
	"errors"
	"slices"
	"time"
)

// A class's copy on this replica follows its record in the store. Every
// change (a join, a run, open/close, a run's result) is made on the record
// and written with the version it was read at (change); when another
// replica wrote first, the class is read again, the change applied again
// to what is kept now, and written again. What is written is then applied
// to this copy (apply), which tells the class's dashboards what is new and
// follows new runs. With a cluster, each write is announced on the bus
// (ClassEvents), and the other replicas read the class again and apply it
// the same way, so a dashboard on any replica sees every student and every
// run, whichever replica they came through.

// ClassEvents tells the replicas of a cluster that a class changed.
type ClassEvents interface {
	// PublishClass announces that class id was written at version. It
	// never blocks; an announcement may be lost (a replica reads the class
	// again when a write of its own is refused, when a dashboard opens and
	// when a student starts a run).
	PublishClass(id string, version int64)
	// WatchClasses calls f with every announcement until stop.
	WatchClasses(f func(id string, version int64)) (stop func(), err error)
}

// classTries bounds the writes of one change refused because another
// replica wrote first.
const classTries = 20

// classIO bounds one read or write of a class in the store.
const classIO = 10 * time.Second

// change applies mut to the class's record and keeps it. mut reports
// whether it changed anything; its error (a refusal) is returned as is.
// A store that fails is logged and the change kept in this copy only, as
// a class without a store keeps it.
func (c *Class) change(mut func(r *ClassRecord) (bool, error)) error {
	c.persistMu.Lock()
	defer c.persistMu.Unlock()
	st := c.book.opt.Store
	r := c.record()
	for try := 1; ; try++ {
		changed, err := mut(&r)
		if err != nil || !changed {
			return err
		}
		if st == nil {
			c.apply(r, true)
			return nil
		}
		ctx, cancel := context.WithTimeout(context.Background(), classIO)
		v, err := st.UpdateClass(ctx, r)
		if err == nil {
			cancel()
			r.Version = v
			c.apply(r, false)
			c.book.announce(c.id, v)
			return nil
		}
		if !errors.Is(err, ErrClassChanged) || try == classTries {
			cancel()
			c.book.log.Error("keep class", "class", c.id, "tries", try, "err", err)
			c.apply(r, true)
			return nil
		}
		fresh, err := st.Class(ctx, c.id)
		cancel()
		if err != nil {
			c.book.log.Error("read class again", "class", c.id, "err", err)
			return Errorf(EUnavailable, "the class could not be read from the store; try again in a moment")
		}
		c.apply(fresh, false)
		r = fresh
	}
}

// sync reads the class from a shared store (with a cluster) and applies
// what changed.
func (c *Class) sync() {
	if c.book.events == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), classIO)
	defer cancel()
	c.book.refresh(ctx, c.id, 0)
}

// apply makes this copy the kept record r, tells the dashboards what is
// new and follows new runs. A record no newer than the copy is ignored
// unless always (a change kept here only: no store, or it failed).
func (c *Class) apply(r ClassRecord, always bool) {
	var evs []classEvent
	var newRuns []ClassRun
	c.mu.Lock()
	if !always && r.Version <= c.version {
		c.mu.Unlock()
		return
	}
	c.version = r.Version
	c.holds = slices.Clone(r.Holds)
	if c.open != r.Open {
		c.open = r.Open
		info := c.infoLocked()
		evs = append(evs, classEvent{class: &info})
	}
	for _, s := range r.Students {
		k := nameKey(s.Name)
		if c.byName[k] != nil {
			continue
		}
		st := &Student{Name: s.Name, JoinedAt: s.JoinedAt, owner: ownerFromHash(s.KeyHash)}
		c.students = append(c.students, st)
		c.byName[k] = st
		evs = append(evs, classEvent{student: &StudentMsg{Student: *st, Students: len(c.students)}})
	}
	for _, x := range r.Runs {
		i := slices.IndexFunc(c.runs, func(y *ClassRun) bool { return y.SessionID == x.SessionID })
		run := ClassRun{SessionID: x.SessionID, Student: x.Student, Config: x.Config, CreatedAt: x.CreatedAt,
			State: x.State, TestLoss: x.TestLoss, PCA: x.PCA, Seconds: x.Seconds, follower: x.Follower}
		if i >= 0 {
			if x.PCA != nil && (c.runs[i].PCA == nil || *c.runs[i].PCA != *x.PCA) {
				// Figured by the replica responsible for the run: this
				// replica's dashboards get it from the record.
				evs = append(evs, classEvent{pca: &pcaResult{id: x.SessionID, mse: *x.PCA, kept: true}})
			}
			*c.runs[i] = run
			continue
		}
		c.runs = append(c.runs, &run)
		newRuns = append(newRuns, run)
	}
	c.mu.Unlock()
	if len(newRuns) > 0 {
		c.book.mu.Lock()
		for _, x := range newRuns {
			c.book.byRun[x.SessionID] = c
		}
		c.book.mu.Unlock()
	}
	for _, ev := range evs {
		c.hub.publish(ev)
	}
	for _, x := range newRuns {
		c.hub.watch(x)
	}
}

// announce tells the other replicas that class id was written.
func (b *ClassBook) announce(id string, version int64) {
	if b.events != nil {
		b.events.PublishClass(id, version)
	}
}

// heard records an announcement for the refresher (run by the bus's
// goroutine: it only notes the class and wakes the refresher).
func (b *ClassBook) heard(id string, version int64) {
	b.mu.Lock()
	if c := b.byID[id]; c != nil {
		c.mu.Lock()
		fresh := c.version >= version
		c.mu.Unlock()
		if fresh {
			b.mu.Unlock()
			return
		}
	}
	// Bounded: at most one entry per class the store may keep, plus the
	// classes known here.
	if _, ok := b.due[id]; ok || len(b.due) < 2*b.lim.MaxClasses {
		b.due[id] = max(b.due[id], version)
	}
	b.mu.Unlock()
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

// refresher reads again the classes announced, one after another.
func (b *ClassBook) refresher() {
	defer b.wg.Done()
	for {
		select {
		case <-b.ctx.Done():
			return
		case <-b.kick:
		}
		b.mu.Lock()
		due := b.due
		b.due = map[string]int64{}
		b.mu.Unlock()
		for id, v := range due {
			ctx, cancel := context.WithTimeout(b.ctx, classIO)
			b.refresh(ctx, id, v)
			cancel()
		}
	}
}

// refresh reads class id from the store unless this copy is at version
// atLeast already (0: read it anyway), and applies it, adopting a class
// this replica did not know. It returns the class, or nil.
func (b *ClassBook) refresh(ctx context.Context, id string, atLeast int64) *Class {
	b.mu.Lock()
	c := b.byID[id]
	b.mu.Unlock()
	if c != nil && atLeast > 0 {
		c.mu.Lock()
		fresh := c.version >= atLeast
		c.mu.Unlock()
		if fresh {
			return c
		}
	}
	r, err := b.opt.Store.Class(ctx, id)
	if err != nil {
		if !errors.Is(err, ErrClassMissing) {
			b.log.Warn("read class", "class", truncate(id, 40), "err", err)
		}
		return c
	}
	return b.adopt(r)
}

// adopt applies kept record r to its copy here, making the copy if there
// is none (bounded: no more than MaxClasses copies). It returns the copy,
// or nil.
func (b *ClassBook) adopt(r ClassRecord) *Class {
	b.mu.Lock()
	c := b.byID[r.ID]
	if c == nil {
		if b.closed || len(b.byID) >= b.lim.MaxClasses || b.byCode[r.Code] != nil {
			b.mu.Unlock()
			b.log.Warn("class not taken in", "class", r.ID, "classes", len(b.byID))
			return nil
		}
		c = classFromRecord(b, r)
		b.addLocked(c)
	}
	b.mu.Unlock()
	c.apply(r, false)
	return c
}
