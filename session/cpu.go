package session

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"
)

// slice is how long a training computes before it gives its core to the
// next one in line. Short enough that thirty trainings on two cores each get
// a turn (and publish progress) several times a second; long enough that
// the hand-over costs nothing measurable.
const slice = 25 * time.Millisecond

// cpuPool shares the machine's cores fairly between running trainings. A
// training computes only while it holds a slot; slots are handed over in
// arrival order (Go's channel wait queues are FIFO), so every training
// advances in turn. A training alone uses every core for its matrix
// products; as soon as two or more want the CPU, each uses one, so the
// cores are never oversubscribed.
type cpuPool struct {
	slots  chan struct{}
	cores  int
	active atomic.Int32 // trainings that want the CPU (running, not paused)
}

func newCPUPool(cores int) *cpuPool {
	if cores <= 0 {
		cores = runtime.GOMAXPROCS(0)
	}
	return &cpuPool{slots: make(chan struct{}, cores), cores: cores}
}

// acquire waits for a slot, or for ctx to end.
func (p *cpuPool) acquire(ctx context.Context) error {
	select {
	case p.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release gives the slot to the next training in line.
func (p *cpuPool) release() { <-p.slots }

// workers is how many goroutines one training's matrix products should use
// now.
func (p *cpuPool) workers() int {
	if p.active.Load() <= 1 {
		return p.cores
	}
	return 1
}
