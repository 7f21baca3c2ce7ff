package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// minHelperWork is the least m·n·k of a job per helper goroutine. On a
// 2-core Zen 5 VM (see doc.go), with helpers awake (products issued back
// to back, as in training), splitting pays from about 1.3·10⁵ (64×128×32:
// 2.6 → 2.1 µs); with parked helpers a split costs the caller a few µs
// and gains nothing below about 2·10⁶. 2¹⁸ favours the training loop.
var minHelperWork = 1 << 18

// maxPool bounds the number of pool goroutines.
const maxPool = 64

// call coordinates the goroutines working on one job. The chunks are
// handed out one at a time from next, so a helper that starts late (or is
// descheduled) simply takes fewer: the caller never waits for a helper
// that has not begun a chunk, only for chunks in progress.
type call struct {
	mu   sync.Mutex
	done sync.Cond // signalled when remaining drops to 0
	// gen counts finished jobs; a task for an older generation is stale
	// and is dropped. calls are recycled, never freed, so a stale task's
	// pointer stays valid.
	gen       uint64
	jb        job
	next      int // next chunk to hand out
	chunks    int
	remaining atomic.Int32 // chunks not yet finished
}

// task asks a pool goroutine to help with generation gen of a call.
type task struct {
	cl  *call
	gen uint64
}

// runShared computes the chunks of jb on the calling goroutine (with
// scratch s) and on up to helpers pool goroutines.
func runShared(jb *job, chunks, helpers int, s *scratch) {
	cl := getCall()
	cl.mu.Lock()
	cl.jb = *jb
	cl.next, cl.chunks = 0, chunks
	cl.remaining.Store(int32(chunks))
	gen := cl.gen
	cl.mu.Unlock()
	startWorkers(helpers)
	for range helpers {
		select {
		case pool.tasks <- task{cl, gen}:
		default: // every pool goroutine is busy: do the work ourselves
		}
	}
	cl.work(gen, s)
	// Wait for the helpers' chunks in progress. Spin first: a chunk lasts
	// microseconds, and parking would let the helper that wakes us move
	// this goroutine onto its own P, stranding the helper in the global
	// run queue until an idle P is woken (tens of µs on these VMs).
	for t0 := time.Now(); cl.remaining.Load() > 0 && time.Since(t0) < spinWait; {
		runtime.Gosched()
	}
	cl.mu.Lock()
	for cl.remaining.Load() > 0 {
		cl.done.Wait()
	}
	cl.gen++
	cl.jb = job{} // drop references to the caller's slices
	cl.mu.Unlock()
	putCall(cl)
}

// work claims and computes chunks of generation gen until none is left.
func (cl *call) work(gen uint64, s *scratch) {
	for {
		cl.mu.Lock()
		if cl.gen != gen || cl.next >= cl.chunks {
			cl.mu.Unlock()
			return
		}
		c := cl.next
		cl.next++
		cl.mu.Unlock()

		cl.jb.chunk(c, s)

		if cl.remaining.Add(-1) == 0 {
			cl.mu.Lock() // a waiter checks remaining under mu
			cl.done.Signal()
			cl.mu.Unlock()
		}
	}
}

// pool is the package's worker pool. Goroutines are started lazily, the
// first time a call wants them, up to the largest workers-1 ever asked for
// (at most maxPool), and then live for the rest of the process, parked on
// the channel receive when idle. Each owns its packing scratch, so
// steady-state calls neither spawn goroutines nor allocate.
var pool struct {
	sync.Mutex
	started int
	tasks   chan task
}

func startWorkers(n int) {
	pool.Lock()
	defer pool.Unlock()
	if pool.tasks == nil {
		pool.tasks = make(chan task, maxPool)
	}
	for ; pool.started < min(n, maxPool); pool.started++ {
		go worker(pool.tasks)
	}
}

// spinWait is how long a pool goroutine keeps polling for the next task
// after finishing one before it parks. Waking a parked goroutine takes
// 15-100 µs on these VMs (the idle vCPU must be woken and must steal the
// goroutine), as long as a whole autoencoder product; a training loop
// issues its products back to back, so a helper that waits actively for
// a little while picks the next one up within a microsecond. While
// polling it yields to any other runnable goroutine.
var spinWait = 200 * time.Microsecond

func worker(tasks <-chan task) {
	s := new(scratch)
	for t := range tasks {
		t.cl.work(t.gen, s)
		for deadline := time.Now().Add(spinWait); time.Now().Before(deadline); {
			select {
			case t := <-tasks:
				t.cl.work(t.gen, s)
				deadline = time.Now().Add(spinWait)
			default:
				runtime.Gosched()
			}
		}
	}
}

// callFree recycles calls so that steady-state calls do not allocate.
var callFree struct {
	sync.Mutex
	list []*call
}

func getCall() *call {
	callFree.Lock()
	defer callFree.Unlock()
	if n := len(callFree.list); n > 0 {
		c := callFree.list[n-1]
		callFree.list = callFree.list[:n-1]
		return c
	}
	c := new(call)
	c.done.L = &c.mu
	return c
}

func putCall(c *call) {
	callFree.Lock()
	callFree.list = append(callFree.list, c)
	callFree.Unlock()
}
