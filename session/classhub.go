package session

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
)

// classHub fans a class's changes out to its dashboards, like a session's
// hub: one goroutine (run) owns the viewers and the latest tile of every
// run; one follower goroutine per live run reads that run's own stream and
// sends a small tile at most every classTick. Nothing here ever waits for
// a training or for a viewer: a follower that cannot hand over a tile keeps
// it for the next tick, and a slow viewer is dropped.
type classHub struct {
	c          *Class
	in         chan classEvent
	register   chan *ClassSubscription
	unregister chan *ClassSubscription
	done       chan struct{}
	pcaSem     chan struct{} // one PCA baseline at a time per class
	watchers   atomic.Int32

	// Owned by run.
	tiles map[string]*RunTile
	order []string
	subs  map[*ClassSubscription]struct{}
}

// classEvent is one change; exactly one field is set.
type classEvent struct {
	tile    *RunTile
	pca     *pcaResult
	student *StudentMsg
	class   *ClassInfo
}

type pcaResult struct {
	id  string
	mse float64
}

// ClassSubscription is one dashboard's stream of JSON messages; see
// Subscription.
type ClassSubscription struct {
	C       <-chan []byte
	c       chan []byte
	h       *classHub
	dropped atomic.Bool
	once    sync.Once
}

// Dropped reports whether the stream was cut because the viewer was slow.
func (s *ClassSubscription) Dropped() bool { return s.dropped.Load() }

// Close ends the subscription; safe to call more than once.
func (s *ClassSubscription) Close() {
	s.once.Do(func() {
		select {
		case s.h.unregister <- s:
		case <-s.h.done:
		}
	})
}

// Subscribe starts a live stream of the class: a snapshot, a tile per run,
// then changes. The caller must Close it.
func (c *Class) Subscribe() *ClassSubscription {
	cap := subscriberBuffer + c.book.lim.MaxRuns + 1
	ch := make(chan []byte, cap)
	s := &ClassSubscription{C: ch, c: ch, h: c.hub}
	select {
	case c.hub.register <- s:
	case <-c.hub.done:
		close(ch)
	}
	return s
}

// Watchers returns how many dashboards follow the class.
func (c *Class) Watchers() int { return int(c.hub.watchers.Load()) }

func newClassHub(c *Class) *classHub {
	return &classHub{c: c, in: make(chan classEvent, 256), register: make(chan *ClassSubscription),
		unregister: make(chan *ClassSubscription), done: make(chan struct{}), pcaSem: make(chan struct{}, 1),
		tiles: map[string]*RunTile{}, subs: map[*ClassSubscription]struct{}{}}
}

func (h *classHub) publish(ev classEvent) bool {
	select {
	case h.in <- ev:
		return true
	default:
		return false
	}
}

func (h *classHub) publishWait(ctx context.Context, ev classEvent) {
	select {
	case h.in <- ev:
	case <-h.done:
	case <-ctx.Done():
	}
}

func (h *classHub) run(ctx context.Context) {
	defer close(h.done)
	for {
		select {
		case <-ctx.Done():
			for s := range h.subs {
				h.remove(s)
			}
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
				h.subs[s] = struct{}{}
				h.watchers.Add(1)
			}
		case s := <-h.unregister:
			h.remove(s)
		case ev := <-h.in:
			if msg := h.apply(ev); msg != nil {
				for s := range h.subs {
					select {
					case s.c <- msg:
					default:
						s.dropped.Store(true)
						h.remove(s)
					}
				}
			}
		}
	}
}

// send queues msg for a new viewer, or closes it if it cannot.
func (h *classHub) send(s *ClassSubscription, msg []byte) bool {
	select {
	case s.c <- msg:
		return true
	default:
		s.dropped.Store(true)
		close(s.c)
		return false
	}
}

func (h *classHub) remove(s *ClassSubscription) {
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		close(s.c)
		h.watchers.Add(-1)
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
		if t == nil {
			return nil
		}
		v := ev.pca.mse
		t.PCA = &v
		bare := *t
		go h.c.updateRun(&bare, false)
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
