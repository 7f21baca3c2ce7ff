package session

import "sync/atomic"

// Refusal names why the door turned a piece of work away, for the
// server's metrics. The set is fixed so that a metric's labels stay few.
type Refusal int

// The reasons the door refuses work.
const (
	RefusedShutdown   Refusal = iota // the server is shutting down
	RefusedPerAddress                // the address already has its share of trainings or requests
	RefusedRateLimit                 // the address's rate token was not there
	RefusedQueueFull                 // the training queue has no room
	RefusedMemory                    // the memory budget has no room now
	RefusedTooLarge                  // the work needs more than the whole memory budget
	RefusedCPUWait                   // the work waited in vain for a CPU turn (or its request ended)
	numRefusals
)

var refusalNames = [numRefusals]string{"shutdown", "per_address", "rate_limited", "queue_full", "memory", "too_large", "cpu_wait"}

// String is the reason's label in the metrics.
func (r Refusal) String() string {
	if r < 0 || r >= numRefusals {
		return "unknown"
	}
	return refusalNames[r]
}

// counters are the manager's running totals since it started. They are
// atomics, so that a training's step adds to them without a lock.
type counters struct {
	samples  atomic.Int64 // examples trained on, over every training
	steps    atomic.Int64 // optimizer steps, over every training
	refusals [numRefusals]atomic.Int64
}

// Counters is a snapshot of the manager's running totals since it started.
type Counters struct {
	Samples  int64             // examples trained on, over every training
	Steps    int64             // optimizer steps, over every training
	Refusals map[Refusal]int64 // work the door turned away, by reason (every reason present)
}

// Counters returns the running totals since the manager started.
func (m *Manager) Counters() Counters {
	c := Counters{Samples: m.count.samples.Load(), Steps: m.count.steps.Load(), Refusals: make(map[Refusal]int64, numRefusals)}
	for r := range numRefusals {
		c.Refusals[r] = m.count.refusals[r].Load()
	}
	return c
}

// refuse counts a refusal for reason and returns err, so that a refusal
// site reads `return nil, m.refuse(RefusedMemory, Errorf(…))`.
func (m *Manager) refuse(reason Refusal, err error) error {
	m.count.refusals[reason].Add(1)
	return err
}

// trained counts one optimizer step of n examples.
func (m *Manager) trained(n int) {
	m.count.steps.Add(1)
	m.count.samples.Add(int64(n))
}
