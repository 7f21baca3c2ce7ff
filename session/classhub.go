package session

import (
	"context"
	"encoding/json"
)

// classHub fans a class's changes out to its dashboards, like a session's
// hub: one goroutine (run) owns the viewers and the latest tile of every
// run; one follower goroutine per live run reads that run's own stream and
// sends a small tile at most every classTick. Nothing here ever waits for
// a training or for a viewer: a follower that cannot hand over a tile keeps
// it for the next tick, and a slow viewer is dropped.
type classHub struct {
	fanout[classEvent]
	c      *Class
	pcaSem chan struct{} // one PCA baseline at a time per class

	// Owned by run.
	tiles map[string]*RunTile
	order []string
	early map[string]float64 // PCA figures that came before their run's first tile
}

// classEvent is one change; exactly one field is set.
type classEvent struct {
	tile    *RunTile
	pca     *pcaResult
	student *StudentMsg
	class   *ClassInfo
}

type pcaResult struct {
	id   string
	mse  float64
	kept bool // read from the kept class (another replica figured it)
}

// Subscribe starts a live stream of the class: a snapshot, a tile per run,
// then changes. The caller must Close it. With a cluster, the class is
// read again from the store first (a change whose announcement was lost
// is then on the dashboard too).
func (c *Class) Subscribe() *Subscription {
	c.sync()
	s, ok := c.hub.subscribe(subscriberBuffer + c.book.lim.MaxRuns + 1)
	if !ok {
		close(s.c)
	}
	return s
}

// Watchers returns how many dashboards follow the class.
func (c *Class) Watchers() int { return int(c.hub.watchers.Load()) }

func newClassHub(c *Class) *classHub {
	h := &classHub{c: c, pcaSem: make(chan struct{}, 1), tiles: map[string]*RunTile{}, early: map[string]float64{}}
	h.init(256)
	return h
}

func (h *classHub) run(ctx context.Context) {
	defer close(h.done)
	for {
		select {
		case <-ctx.Done():
			h.removeAll()
			return
		case s := <-h.register:
			h.c.mu.Lock()
			snap := ClassSnapshot{Type: TypeSnapshot, Class: h.c.infoLocked(), Students: []Student{}}
			for _, st := range h.c.students {
				snap.Students = append(snap.Students, *st)
			}
			h.c.mu.Unlock()
			ok := h.send(s, marshalClass(snap))
			for _, id := range h.order {
				if ok {
					ok = h.send(s, marshalClass(RunMsg{Type: TypeClassRun, Run: *h.tiles[id]}))
				}
			}
			if ok {
				h.add(s)
			}
		case s := <-h.unregister:
			h.remove(s)
		case ev := <-h.in:
			if msg := h.apply(ev); msg != nil {
				h.broadcast(msg)
			}
		}
	}
}

// apply records ev and returns its wire form.
func (h *classHub) apply(ev classEvent) []byte {
	switch {
	case ev.tile != nil:
		t := *ev.tile
		old := h.tiles[t.ID]
		if old == nil {
			h.order = append(h.order, t.ID)
			if v, ok := h.early[t.ID]; ok && t.PCA == nil {
				t.PCA = &v
			}
			delete(h.early, t.ID)
		} else {
			if t.PCA == nil {
				t.PCA = old.PCA
			}
			full := t
			if full.Spark == nil {
				full.Spark = old.Spark
			}
			if full.Latent == nil {
				full.Latent = old.Latent
			}
			if full.Recon == nil {
				full.Recon = old.Recon
			}
			h.tiles[t.ID] = &full
			return marshalClass(RunMsg{Type: TypeClassRun, Run: t})
		}
		h.tiles[t.ID] = &t
		return marshalClass(RunMsg{Type: TypeClassRun, Run: t})
	case ev.pca != nil:
		t := h.tiles[ev.pca.id]
		v := ev.pca.mse
		if t == nil {
			// Its first tile is still to come: kept for it (bounded by the
			// class's runs), and written now.
			if len(h.early) < h.c.book.lim.MaxRuns {
				h.early[ev.pca.id] = v
			}
			if !ev.pca.kept {
				go h.c.updateRun(&RunTile{ID: ev.pca.id, PCA: &v}, false)
			}
			return nil
		}
		if ev.pca.kept && t.PCA != nil && *t.PCA == v {
			return nil
		}
		t.PCA = &v
		bare := *t
		if !ev.pca.kept {
			go h.c.updateRun(&bare, false)
		}
		msg := bare
		msg.Spark, msg.Latent, msg.Recon = nil, nil, nil
		return marshalClass(RunMsg{Type: TypeClassRun, Run: msg})
	case ev.student != nil:
		m := *ev.student
		m.Type = TypeClassStudent
		return marshalClass(m)
	case ev.class != nil:
		return marshalClass(ClassMsg{Type: TypeClassInfo, Class: *ev.class})
	}
	return nil
}

func marshalClass(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}
