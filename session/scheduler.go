package session

import (
	"context"
	"slices"
)

// Each admitted training holds a ticket: it waits in the queue for a running
// slot and the bytes of its memory estimate; a paused training gives its
// running slot back (keeping its memory, its model lives on) and queues
// again on resume. Slots are handed to the queued training whose address
// has the fewest running, in arrival order among equals, so one address
// cannot take every slot from the others.

// ticket is a training's place in the scheduler.
type ticket struct {
	s       *Session
	owner   string       // the address group that started it ("" for the server's own)
	shared  bool         // a cluster's job: its owner's share is held elsewhere (livecount.go), not in live
	need    trainingNeed // its memory estimate
	memHeld bool         // need is reserved (from its first start to its end)
	running bool         // it holds a running slot
	queued  bool
	left    bool          // it has left the scheduler for good
	ready   chan struct{} // closed when it is given a running slot
}

// trainingBudget is the share of the memory budget trainings may hold
// together: the rest is kept for views and analyses.
func (m *Manager) trainingBudget() int64 {
	return m.opt.MaxMemory - min(m.opt.MaxMemory/8, 256<<20)
}

// heldNeeds yields the needs of the trainings holding memory, and of extra
// when it is not nil.
func (m *Manager) heldNeeds(extra *ticket) func(yield func(trainingNeed) bool) {
	return func(yield func(trainingNeed) bool) {
		for t := range m.held {
			if !yield(t.need) {
				return
			}
		}
		if extra != nil {
			yield(extra.need)
		}
	}
}

// memWith is the memory reserved if t's were reserved too.
func (m *Manager) memWith(t *ticket) int64 {
	shared, _ := sharedMemory(m.cpu.cores, m.heldNeeds(t))
	return m.memUsed - m.memShared + t.need.own + shared
}

// reshareLocked updates the trainings' shared reservation after one came
// or went, and bounds the scratch pool's idle blocks to its part of it.
func (m *Manager) reshareLocked() {
	shared, idle := sharedMemory(m.cpu.cores, m.heldNeeds(nil))
	m.memUsed += shared - m.memShared
	m.memShared = shared
	m.scratch.SetMaxIdle(idle)
}

// dispatchLocked gives free running slots to queued trainings that fit in
// memory: first those whose address has the fewest running, then by arrival.
func (m *Manager) dispatchLocked() {
	for m.running < m.opt.MaxRunning {
		best := -1
		for i, t := range m.queue {
			if !t.memHeld && m.memWith(t) > m.trainingBudget() {
				continue
			}
			if best < 0 || m.runningBy[t.owner] < m.runningBy[m.queue[best].owner] {
				best = i
			}
		}
		if best < 0 {
			break
		}
		t := m.queue[best]
		m.queue = slices.Delete(m.queue, best, best+1)
		t.queued, t.running = false, true
		if !t.memHeld {
			t.memHeld = true
			m.held[t] = struct{}{}
			m.memUsed += t.need.own
			m.reshareLocked()
		}
		m.running++
		m.runningBy[t.owner]++
		close(t.ready)
	}
	for i, t := range m.queue {
		t.s.setQueuePosition(i + 1)
	}
}

// waitTurn waits until t holds a running slot, or ctx ends.
func (m *Manager) waitTurn(ctx context.Context, t *ticket) error {
	m.mu.Lock()
	ready := t.ready
	m.mu.Unlock()
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// yield gives t's running slot back (a pause); t keeps its memory.
func (m *Manager) yield(t *ticket) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.releaseSlotLocked(t)
	m.dispatchLocked()
}

// requeue puts a paused t back in the queue (a resume).
func (m *Manager) requeue(t *ticket) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t.left || t.running || t.queued {
		return
	}
	t.ready = make(chan struct{})
	t.queued = true
	m.queue = append(m.queue, t)
	m.dispatchLocked()
}

func (m *Manager) releaseSlotLocked(t *ticket) {
	if !t.running {
		return
	}
	t.running = false
	m.running--
	if m.runningBy[t.owner]--; m.runningBy[t.owner] <= 0 {
		delete(m.runningBy, t.owner)
	}
}

// leave takes t out of the scheduler for good, giving back whatever it
// holds; calling it again does nothing.
func (m *Manager) leave(t *ticket) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t.left {
		return
	}
	m.leaveLocked(t)
	if !t.shared {
		if m.live[t.owner]--; m.live[t.owner] <= 0 {
			delete(m.live, t.owner)
		}
	}
	m.dispatchLocked()
}

func (m *Manager) leaveLocked(t *ticket) {
	t.left = true
	if t.queued {
		t.queued = false
		if i := slices.Index(m.queue, t); i >= 0 {
			m.queue = slices.Delete(m.queue, i, i+1)
		}
	}
	m.releaseSlotLocked(t)
	if t.memHeld {
		t.memHeld = false
		delete(m.held, t)
		m.memUsed -= t.need.own
		m.reshareLocked()
	}
}
