package session

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"time"
)

// A class's dashboards see each live run as a small tile. One follower
// goroutine per run reads the run's own stream (its Subscription), keeps
// what a tile shows, and hands the class hub a tile at most every
// classTick. A follower never waits for the training: a tile the hub
// cannot take now is sent at the next tick.
//
// With a cluster every replica follows every run of the classes it knows,
// for its own dashboards, but one replica only is responsible for the
// run's figures: the one it was started through (ClassRunRecord.Follower).
// It computes the run's PCA baseline (one at a time per class) and writes
// it and the run's result to the class; the others take both from the
// class as it is kept. Should the responsible replica be gone (died,
// restarted), a replica that saw the run end waits the book's takeover
// time (classTakeover, and as much again at random, so that the others
// seldom act together), reads the class again, and does what is still
// missing: the figure, the result.

// classTakeover is how long after the end of a run a replica not
// responsible for it waits before doing what the responsible one has not.
const classTakeover = 20 * time.Second

// classTick is how often a run's follower may send its tile: at most two
// updates a second per run, and pictures at most once a second.
const (
	classTick   = 500 * time.Millisecond
	framesEvery = time.Second
)

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
	mine := h.c.book.responsible(r)
	s, err := h.c.book.m.Get(r.SessionID)
	if err != nil {
		features := 0
		if in, err := h.c.book.m.reg.Info(r.Config.Dataset); err == nil {
			features = in.Features
		}
		t := tileOfRecord(r, l, features)
		h.publishWait(ctx, classEvent{tile: &t})
		switch {
		case r.PCA != nil:
		case mine:
			h.baseline(ctx, r.SessionID, r.Config)
		default:
			h.takeOver(ctx, r, nil)
		}
		return
	}
	if mine {
		h.c.book.pcaWG.Add(1)
		go func() {
			defer h.c.book.pcaWG.Done()
			h.baseline(ctx, r.SessionID, s.Config())
		}()
	}
	f := follower{}
	tick := time.NewTicker(classTick)
	defer tick.Stop()
	for {
		sub := s.Subscribe()
		var last *RunTile
		ended := f.read(ctx, sub, tick.C, func(final bool) bool {
			t := f.tile(tileOf(s, r.Student, l), final)
			if final {
				h.publishWait(ctx, classEvent{tile: &t})
				if mine {
					h.c.updateRun(&t, true)
				} else {
					last = &t
				}
				return true
			}
			return h.publish(classEvent{tile: &t})
		})
		if last != nil {
			sub.Close()
			r.Config = s.Config()
			h.takeOver(ctx, r, last)
			return
		}
		dropped := sub.Dropped()
		sub.Close()
		if ended || !dropped || ctx.Err() != nil {
			return
		}
	}
}

// responsible reports whether this book computes and writes run r's
// figures: always without a cluster (no other replica), else when r was
// started through it.
func (b *ClassBook) responsible(r ClassRun) bool {
	return b.events == nil || r.follower == b.self
}

// takeOver is run by a replica not responsible for run r, once it saw the
// run end (final: its last tile, or nil when this replica has only the
// kept record): after the takeover wait it reads the class again and
// records the result and computes the PCA figure if the responsible
// replica has not.
func (h *classHub) takeOver(ctx context.Context, r ClassRun, final *RunTile) {
	b := h.c.book
	wait := b.takeover + time.Duration(rand.Int64N(int64(b.takeover)+1))
	select {
	case <-ctx.Done():
		return
	case <-time.After(wait):
	}
	h.c.sync()
	kept, ok := h.c.run(r.SessionID)
	if !ok {
		return
	}
	if final != nil && (!kept.State.Terminal() || kept.State == Interrupted && final.State != Interrupted) {
		b.log.Info("class: a run's result recorded by a replica not responsible for it", "class", h.c.id, "session", r.SessionID)
		h.c.updateRun(final, true)
	}
	if kept.PCA == nil {
		b.log.Info("class: a run's PCA figure computed by a replica not responsible for it", "class", h.c.id, "session", r.SessionID)
		h.baseline(ctx, r.SessionID, r.Config)
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
