package session

import (
	"context"
	"sync"
	"sync/atomic"
)

// subscriberBuffer is how many messages a viewer may fall behind before it
// is dropped. Live messages come at about a dozen a second, so this is a few
// seconds of slack for a viewer on a slow link.
const subscriberBuffer = 64

// fanout is what both hubs (a session's, hub, and a class's, classHub) are
// made of, as in gorilla/websocket's chat example: an inbox of events of
// type E and the viewers' subscriptions, which the hub's one goroutine
// owns. Publishing never blocks the publisher (publish drops when the inbox
// is full), and a viewer whose buffer is full is dropped, never waited for.
type fanout[E any] struct {
	in         chan E
	register   chan *Subscription
	unregister chan *Subscription
	done       chan struct{} // closed when the hub's goroutine has returned
	watchers   atomic.Int32

	subs map[*Subscription]struct{} // owned by the hub's goroutine
}

// init makes the channels, with an inbox of inbox events.
func (f *fanout[E]) init(inbox int) {
	f.in = make(chan E, inbox)
	f.register = make(chan *Subscription)
	f.unregister = make(chan *Subscription)
	f.done = make(chan struct{})
	f.subs = make(map[*Subscription]struct{})
}

// Subscription is one viewer's stream: C yields JSON messages, each one
// complete protocol message, starting with a snapshot. C is closed when the
// stream has ended and every message was queued, or when the viewer fell too
// far behind (then Dropped reports true and the viewer should reconnect).
type Subscription struct {
	C          <-chan []byte
	c          chan []byte
	unregister chan<- *Subscription
	done       <-chan struct{}
	dropped    atomic.Bool
	once       sync.Once
}

// Dropped reports whether the stream was cut because the viewer was too slow.
func (s *Subscription) Dropped() bool { return s.dropped.Load() }

// Close ends the subscription; it is safe to call more than once and after
// the stream has ended.
func (s *Subscription) Close() {
	s.once.Do(func() {
		select {
		case s.unregister <- s:
		case <-s.done:
		}
	})
}

// subscribe makes a subscription with room for buf messages and hands it to
// the hub's goroutine. When the hub has already ended it reports false: the
// caller may fill the subscription's buffer and must close it (s.c).
func (f *fanout[E]) subscribe(buf int) (*Subscription, bool) {
	c := make(chan []byte, buf)
	s := &Subscription{C: c, c: c, unregister: f.unregister, done: f.done}
	select {
	case f.register <- s:
		return s, true
	case <-f.done:
		return s, false
	}
}

// publish hands an event to the hub without waiting; it reports false when
// the hub is busy or finished.
func (f *fanout[E]) publish(ev E) bool {
	select {
	case f.in <- ev:
		return true
	default:
		return false
	}
}

// publishWait hands an event to the hub, waiting for room until the hub or
// ctx ends. It is for the rare events that must not be lost; the hub never
// blocks, so the wait is short.
func (f *fanout[E]) publishWait(ctx context.Context, ev E) {
	select {
	case f.in <- ev:
	case <-f.done:
	case <-ctx.Done():
	}
}

// send queues msg for a subscription being registered (its snapshot),
// or closes it as dropped if its buffer is full; it reports whether s
// can still be added.
func (f *fanout[E]) send(s *Subscription, msg []byte) bool {
	select {
	case s.c <- msg:
		return true
	default:
		s.dropped.Store(true)
		close(s.c)
		return false
	}
}

// add makes s one of the viewers.
func (f *fanout[E]) add(s *Subscription) {
	f.subs[s] = struct{}{}
	f.watchers.Add(1)
}

// broadcast queues msg for every viewer, dropping those whose buffer is
// full.
func (f *fanout[E]) broadcast(msg []byte) {
	for s := range f.subs {
		select {
		case s.c <- msg:
		default:
			s.dropped.Store(true)
			f.remove(s)
		}
	}
}

// remove ends the stream of viewer s.
func (f *fanout[E]) remove(s *Subscription) {
	if _, ok := f.subs[s]; ok {
		delete(f.subs, s)
		close(s.c)
		f.watchers.Add(-1)
	}
}

// removeAll ends every viewer's stream.
func (f *fanout[E]) removeAll() {
	for s := range f.subs {
		f.remove(s)
	}
}
