package session

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"
)

// classTick is how often a run's follower may send its tile: at most two
// updates a second per run, and pictures at most once a second.
const (
	classTick   = 500 * time.Millisecond
	framesEvery = time.Second
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

// watch starts following run r until it ends (or the class book closes).
func (h *classHub) watch(r ClassRun) {
	b := h.c.book
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		h.follow(b.ctx, r)
	}()
}

// follow reads the session's own stream and sends its tile at most every
// classTick, pictures at most every framesEvery.
func (h *classHub) follow(ctx context.Context, r ClassRun) {
	l := h.c.lesson
	s, err := h.c.book.m.Get(r.SessionID)
	if err != nil {
		features := 0
		if in, err := h.c.book.m.reg.Info(r.Config.Dataset); err == nil {
			features = in.Features
		}
		t := tileOfRecord(r, l, features)
		h.publishWait(ctx, classEvent{tile: &t})
		if r.PCA == nil {
			h.baseline(ctx, r.SessionID, r.Config)
		}
		return
	}
	h.c.book.pcaWG.Add(1)
	go func() {
		defer h.c.book.pcaWG.Done()
		h.baseline(ctx, r.SessionID, s.Config())
	}()
	f := follower{}
	tick := time.NewTicker(classTick)
	defer tick.Stop()
	for {
		sub := s.Subscribe()
		ended := f.read(ctx, sub, tick.C, func(final bool) bool {
			t := f.tile(tileOf(s, r.Student, l), final)
			if final {
				h.publishWait(ctx, classEvent{tile: &t})
				h.c.updateRun(&t, true)
				return true
			}
			return h.publish(classEvent{tile: &t})
		})
		dropped := sub.Dropped()
		sub.Close()
		if ended || !dropped || ctx.Err() != nil {
			return
		}
	}
}

// baseline computes the PCA figure of run id and hands it to the hub.
func (h *classHub) baseline(ctx context.Context, id string, c Config) {
	pca := h.c.book.opt.PCA
	if pca == nil {
		return
	}
	select {
	case h.pcaSem <- struct{}{}:
	case <-ctx.Done():
		return
	}
	b := pca(ctx, c)
	<-h.pcaSem
	if b.State == BaselineReady && b.MSE != nil {
		h.publishWait(ctx, classEvent{pca: &pcaResult{id: id, mse: *b.MSE}})
	}
}

// follower is what a run's follower keeps between ticks.
type follower struct {
	train      []LossPoint
	latentRaw  []byte
	reconRaw   []byte
	newFrames  bool
	newLoss    bool
	dirty      bool
	lastFrames time.Time
}

// read consumes one subscription; emit(final) sends a tile and reports
// whether it was taken. It returns true when the session's stream ended.
func (f *follower) read(ctx context.Context, sub *Subscription, tick <-chan time.Time, emit func(final bool) bool) bool {
	for {
		select {
		case <-ctx.Done():
			return false
		case msg, ok := <-sub.C:
			if !ok {
				if sub.Dropped() {
					return false
				}
				emit(true)
				return true
			}
			f.take(msg)
		case <-tick:
			if f.dirty && emit(false) {
				f.dirty = false
			}
		}
	}
}

// take records one message of the session's stream, decoding only what is
// cheap; pictures are decoded when a tile is made.
func (f *follower) take(msg []byte) {
	f.dirty = true
	switch msgType(msg) {
	case TypeSnapshot:
		var s struct {
			TrainLoss       []LossPoint     `json:"train_loss"`
			Latent          json.RawMessage `json:"latent"`
			Reconstructions json.RawMessage `json:"reconstructions"`
		}
		if json.Unmarshal(msg, &s) == nil {
			f.train = nil
			f.addLoss(s.TrainLoss)
			f.latentRaw, f.reconRaw, f.newFrames = s.Latent, s.Reconstructions, true
		}
	case TypeLoss:
		var b LossBatch
		if json.Unmarshal(msg, &b) == nil {
			f.addLoss(b.Train)
		}
	case TypeLatent:
		f.latentRaw, f.newFrames = msg, true
	case TypeReconstructions:
		f.reconRaw, f.newFrames = msg, true
	}
}

func (f *follower) addLoss(pts []LossPoint) {
	if len(pts) == 0 {
		return
	}
	f.newLoss = true
	f.train = append(f.train, pts...)
	for len(f.train) > keptLoss {
		half := f.train[:0]
		for i := 0; i < len(f.train); i += 2 {
			half = append(half, f.train[i])
		}
		f.train = half
	}
}

// tile completes t with what changed since the last tile.
func (f *follower) tile(t RunTile, final bool) RunTile {
	if f.newLoss || final {
		t.Spark = sparkOf(f.train)
		f.newLoss = false
	}
	if f.newFrames && (final || time.Since(f.lastFrames) >= framesEvery) {
		var l Latent
		if len(f.latentRaw) > 0 && json.Unmarshal(f.latentRaw, &l) == nil {
			t.Latent = thumbOf(&l)
		}
		var r Reconstructions
		if len(f.reconRaw) > 0 && json.Unmarshal(f.reconRaw, &r) == nil {
			t.Recon = stripOf(&r)
		}
		f.newFrames, f.lastFrames = false, time.Now()
	} else if f.newFrames {
		f.dirty = true // send the pictures at the next chance
	}
	return t
}

var typePrefix = []byte(`{"type":"`)

// msgType reads the type of a stream message without decoding it: the
// session stream writes it first.
func msgType(msg []byte) string {
	if !bytes.HasPrefix(msg, typePrefix) {
		return ""
	}
	rest := msg[len(typePrefix):]
	if i := bytes.IndexByte(rest, '"'); i > 0 {
		return string(rest[:i])
	}
	return ""
}
