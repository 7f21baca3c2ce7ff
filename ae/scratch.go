package ae

import (
	"slices"
	"sync"
	"time"
)

// Scratch: the gradients and the activations of a batch are needed only
// while a model computes, and a server that trains thirty models on two
// cores computes with two of them at a time. A model made by NewPooled
// keeps only its weights and optimizer state while it waits; Park gives
// the rest (one block of floats) to a ScratchPool, and the model's next
// computation takes a block of the same size from it, so models of one
// shape share a few blocks between them instead of holding one each.

// scratchAlign is the alignment, in floats, of every buffer cut out of a
// block: 64 bytes, a cache line and an AVX-512 vector.
const scratchAlign = 16

// layoutScratch cuts the model's scratch buffers out of block, in a fixed
// order (the gradients, laid out like the parameters, then the training
// and evaluation workspaces), each on a scratchAlign boundary, binds them
// to the model, and returns how many floats they take. With a nil block it
// only counts and leaves the model as it is.
func (m *Model) layoutScratch(block []float32) int {
	off := 0
	take := func(k int) []float32 {
		start := off
		off = (off + k + scratchAlign - 1) &^ (scratchAlign - 1)
		if block == nil {
			return nil
		}
		return block[start : start+k : start+k]
	}
	grads := take(m.cfg.NumParams()) // len(m.params), also for a shell without weights
	train := layoutWorkspace(m.layers, m.cfg.BatchSize, true, m.codeWidth(), take)
	eval := train
	if m.cfg.BatchSize < m.cfg.evalRows() {
		eval = layoutWorkspace(m.layers, m.cfg.evalRows(), false, m.codeWidth(), take)
	}
	m.attachConv(train, true, take)
	if eval != train {
		m.attachConv(eval, false, take)
	}
	if block != nil {
		m.scratch, m.grads, m.train, m.eval, m.parked = block, grads, train, eval, false
		bindDenseGrads(m.layers, grads)
		m.conv.bindGrads(grads[len(grads)-m.cfg.convNumParams():])
	}
	return off
}

// bindScratch gives the model block (at least scratchLen floats) as its
// scratch. Nothing in the buffers is read before it is written, so a block
// may come from any model.
func (m *Model) bindScratch(block []float32) { m.layoutScratch(block) }

// unpark takes a block from the pool if the model is parked. Every method
// that computes calls it first.
func (m *Model) unpark() {
	if m.parked {
		m.bindScratch(m.pool.get(m.scratchLen))
	}
}

// NewPooled is New for a model that computes in turns: its gradients and
// activation buffers are taken from pool when it computes and given back
// by Park. Until its first computation it holds only its weights and its
// optimizer state.
func NewPooled(c Config, pool *ScratchPool) (*Model, error) {
	if pool == nil {
		panicf("NewPooled: nil pool")
	}
	return newModel(c, pool)
}

// Park gives the model's gradients and activation buffers back to its pool
// (NewPooled) until it next computes, which takes a block from the pool
// again (allocating one if the pool holds none that fits); what Park gives
// back may be lent to another model meanwhile. Nothing the model reports
// depends on it: results are the same, bit for bit, parked or not. A block
// larger than the pool's idle bound stays with its model; otherwise the
// pool lets go of its oldest idle blocks to make room, so that the blocks
// of parked models never exceed the bound. Park does nothing on a model
// made by New, or one already parked.
func (m *Model) Park() {
	if m.pool == nil || m.parked || !m.pool.put(m.scratch) {
		return
	}
	m.scratch, m.grads, m.train, m.eval, m.parked = nil, nil, nil, nil, true
	bindDenseGrads(m.layers, nil)
	m.conv.bindGrads(nil)
}

// ScratchBytes returns the size of the block of gradients and activation
// buffers the model uses while it computes.
func (m *Model) ScratchBytes() int64 { return 4 * int64(m.scratchLen) }

// ScratchBytes returns the size of the block of gradients and activation
// buffers a model of c computes with (Model.ScratchBytes), without making
// the model: what a server reserves for it must be known before its
// weights are allocated. A user mistake in c returns an error wrapping
// ErrInvalidConfig.
func (c Config) ScratchBytes() (int64, error) {
	if err := c.Validate(); err != nil {
		return 0, err
	}
	m := &Model{cfg: c, layers: make([]dense, len(c.Sizes)-1)}
	bindLayers(m.layers, nil, nil, c)
	m.conv = bindConv(c, nil, nil)
	m.vae = c.Kind == VAE
	return 4 * int64(m.layoutScratch(nil)), nil
}

// ScratchPool keeps the blocks that parked models gave back, for the next
// model that computes (see Model.Park). It holds at most maxIdle bytes of
// idle blocks (the oldest are let go to make room for a newer one); a block
// nobody took for ScratchStale is let go when the pool is next used, so a
// pool that served a class of models shrinks to what the models computing
// at once need. The blocks alive are then those of the models computing,
// those kept idle, and those of models whose block is larger than maxIdle.
// It is safe for concurrent use.
type ScratchPool struct {
	maxIdle int64
	now     func() time.Time // time.Now; tests set it

	mu   sync.Mutex
	idle int64
	free []idleBlock // in the order they were given back
	st   ScratchStats
}

// ScratchStale is how long an idle block waits in a ScratchPool for a
// model to take it before the pool lets it go.
const ScratchStale = 2 * time.Second

// idleBlock is a block waiting in the pool, and since when.
type idleBlock struct {
	b     []float32
	since time.Time
}

// ScratchStats are a pool's counts since it was made, and what it holds.
type ScratchStats struct {
	Allocated int   // blocks the pool allocated because it held none that fitted
	Reused    int   // blocks it lent again
	Refused   int   // blocks it did not take because they were larger than its bound (their models kept them)
	Dropped   int   // idle blocks it let go: after ScratchStale, to make room, or below a lowered bound
	Idle      int   // blocks it holds now
	IdleBytes int64 // their size
}

// NewScratchPool returns a pool that keeps at most maxIdle bytes of idle
// blocks. It panics if maxIdle < 0.
func NewScratchPool(maxIdle int64) *ScratchPool {
	if maxIdle < 0 {
		panicf("NewScratchPool(%d): want maxIdle ≥ 0", maxIdle)
	}
	return &ScratchPool{maxIdle: maxIdle, now: time.Now}
}

// Stats returns the pool's counts.
func (p *ScratchPool) Stats() ScratchStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.st
	st.Idle, st.IdleBytes = len(p.free), p.idle
	return st
}

// get returns a block of at least n floats: the idle block given back last
// among those that fit (at most an eighth larger than n, so that a small
// model does not hold a large block), else a new one.
func (p *ScratchPool) get(n int) []float32 {
	p.mu.Lock()
	p.dropStaleLocked(p.now())
	for i := len(p.free) - 1; i >= 0; i-- {
		if b := p.free[i].b; len(b) >= n && len(b)-n <= n/8 {
			p.free = slices.Delete(p.free, i, i+1)
			p.idle -= 4 * int64(len(b))
			p.st.Reused++
			p.mu.Unlock()
			return b
		}
	}
	p.st.Allocated++
	p.mu.Unlock()
	return make([]float32, n)
}

// put keeps b for the next model, letting go of the oldest idle blocks if
// it would not fit within maxIdle otherwise, and says whether it did: a
// block larger than maxIdle is not taken.
func (p *ScratchPool) put(b []float32) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	p.dropStaleLocked(now)
	size := 4 * int64(len(b))
	if size > p.maxIdle {
		p.st.Refused++
		return false
	}
	p.shrinkLocked(p.maxIdle - size)
	p.free = append(p.free, idleBlock{b: b, since: now})
	p.idle += size
	return true
}

// SetMaxIdle changes the bound of idle bytes (a server lowers it as the
// models that could use the blocks go), letting go of the oldest idle
// blocks above it at once. It panics if maxIdle < 0.
func (p *ScratchPool) SetMaxIdle(maxIdle int64) {
	if maxIdle < 0 {
		panicf("SetMaxIdle(%d): want maxIdle ≥ 0", maxIdle)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.maxIdle = maxIdle
	p.shrinkLocked(maxIdle)
}

// shrinkLocked lets go of the oldest idle blocks until at most limit bytes
// are idle.
func (p *ScratchPool) shrinkLocked(limit int64) {
	k := 0
	for k < len(p.free) && p.idle > limit {
		p.idle -= 4 * int64(len(p.free[k].b))
		k++
	}
	if k > 0 {
		p.free = slices.Delete(p.free, 0, k)
		p.st.Dropped += k
	}
}

// dropStaleLocked lets go of the blocks idle for longer than ScratchStale
// (the oldest come first).
func (p *ScratchPool) dropStaleLocked(now time.Time) {
	k := 0
	for k < len(p.free) && now.Sub(p.free[k].since) > ScratchStale {
		p.idle -= 4 * int64(len(p.free[k].b))
		k++
	}
	if k > 0 {
		p.free = slices.Delete(p.free, 0, k)
		p.st.Dropped += k
	}
}
