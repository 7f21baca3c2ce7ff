package session

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// slice is how long a training computes before it gives its core to the
// next one in line. Short enough that thirty trainings on two cores each get
// a turn (and publish progress) several times a second; long enough that
// the hand-over costs nothing measurable.
const slice = 25 * time.Millisecond

// cpuPool is the one pool of CPU turns of the server: trainings, PCA fits,
// model views and analyses all compute only while they hold one of its
// slots, one per core, so the cores are never oversubscribed.
//
// Two kinds of work share it. Trainings take turns of one slice each, in
// arrival order. Other work (views, analyses, fits) is short or rare; it
// goes first when a slot frees, so that a view answers within one slice,
// but it may hold at most otherMax slots at once (half the cores, at least
// one), so trainings always keep the other cores and their update rate.
type cpuPool struct {
	cores    int
	otherMax int
	active   atomic.Int32 // computations that want the CPU (running trainings, work in progress)

	mu         sync.Mutex
	held       int // slots held, of both kinds
	heldOther  int // slots held by other work
	trainQueue []*turn
	otherQueue []*turn
}

// turn is one wait for a slot.
type turn struct {
	other bool
	ready chan struct{} // closed when the slot is handed over
}

func newCPUPool(cores int) *cpuPool {
	if cores <= 0 {
		cores = runtime.GOMAXPROCS(0)
	}
	return &cpuPool{cores: cores, otherMax: max(1, cores/2)}
}

// acquire waits for a slot, or for ctx to end; other says the caller is
// not a training.
func (p *cpuPool) acquire(ctx context.Context, other bool) error {
	p.mu.Lock()
	if p.freeForLocked(other) && len(p.queueLocked(other)) == 0 {
		p.takeLocked(other)
		p.mu.Unlock()
		return nil
	}
	t := &turn{other: other, ready: make(chan struct{})}
	if other {
		p.otherQueue = append(p.otherQueue, t)
	} else {
		p.trainQueue = append(p.trainQueue, t)
	}
	p.mu.Unlock()
	select {
	case <-t.ready:
		return nil
	case <-ctx.Done():
		p.mu.Lock()
		defer p.mu.Unlock()
		select {
		case <-t.ready: // handed over just as we gave up: pass it on
			p.releaseLocked(other)
		default:
			p.removeLocked(t)
		}
		return ctx.Err()
	}
}

// release gives a slot back; other must be what acquire was called with.
func (p *cpuPool) release(other bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.releaseLocked(other)
}

func (p *cpuPool) queueLocked(other bool) []*turn {
	if other {
		return p.otherQueue
	}
	return p.trainQueue
}

func (p *cpuPool) freeForLocked(other bool) bool {
	return p.held < p.cores && (!other || p.heldOther < p.otherMax)
}

func (p *cpuPool) takeLocked(other bool) {
	p.held++
	if other {
		p.heldOther++
	}
}

func (p *cpuPool) releaseLocked(other bool) {
	p.held--
	if other {
		p.heldOther--
	}
	if p.held < 0 || p.heldOther < 0 {
		panic("session: CPU slot released twice")
	}
	// Hand free slots over: other work first (it is short), within its
	// share; then trainings in arrival order.
	for p.held < p.cores {
		switch {
		case len(p.otherQueue) > 0 && p.heldOther < p.otherMax:
			t := p.otherQueue[0]
			p.otherQueue = p.otherQueue[1:]
			p.takeLocked(true)
			close(t.ready)
		case len(p.trainQueue) > 0:
			t := p.trainQueue[0]
			p.trainQueue = p.trainQueue[1:]
			p.takeLocked(false)
			close(t.ready)
		default:
			return
		}
	}
}

func (p *cpuPool) removeLocked(t *turn) {
	q := &p.trainQueue
	if t.other {
		q = &p.otherQueue
	}
	for i, x := range *q {
		if x == t {
			*q = append((*q)[:i:i], (*q)[i+1:]...)
			return
		}
	}
}

// inUse returns how many slots are held (for tests and /healthz).
func (p *cpuPool) inUse() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.held
}

// waiting returns how many computations wait for a slot.
func (p *cpuPool) waiting() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.trainQueue) + len(p.otherQueue)
}

// workers is how many goroutines one training's matrix products should use
// now: every core when it computes alone, one when others want the CPU.
func (p *cpuPool) workers() int {
	if p.active.Load() <= 1 {
		return p.cores
	}
	return 1
}
