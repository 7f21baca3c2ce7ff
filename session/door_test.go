package session

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// long is a training that runs until stopped (for the length of a test).
func long() Config {
	c := small()
	c.TrainSize, c.Epochs, c.TestSize = 60000, 20, 200
	return c
}

// TestPauseGivesTheSlotBack: with one running slot, a paused training lets
// a queued one run; on resume it queues again and runs once the slot is
// free.
func TestPauseGivesTheSlotBack(t *testing.T) {
	m := newTestManager(t, Options{MaxRunning: 1, MaxQueued: 4})
	a, _, err := m.Create(long())
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, a, Running)
	b, _, err := m.Create(long())
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return b.Info().QueuePosition == 1 })
	if err := a.Pause(); err != nil {
		t.Fatal(err)
	}
	waitState(t, a, Paused)
	waitState(t, b, Running) // the paused training's slot went to the queued one
	if st := m.Stats(); st.Running != 1 || st.Queued != 0 {
		t.Fatalf("while a is paused: running %d, queued %d; want 1 and 0", st.Running, st.Queued)
	}
	if err := a.Resume(); err != nil {
		t.Fatal(err)
	}
	waitState(t, a, Queued) // b holds the only slot: a waits in line
	step := a.Info().Step
	time.Sleep(200 * time.Millisecond)
	if a.Info().Step != step {
		t.Fatal("a resumed training computed without a running slot")
	}
	if err := b.Stop(); err != nil {
		t.Fatal(err)
	}
	waitState(t, a, Running)
	waitFor(t, func() bool { return a.Info().Step > step })
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	waitDone(t, a)
	waitDone(t, b)
	if st := m.Stats(); st.Running != 0 || st.MemoryUsed != 0 {
		t.Fatalf("after both ended: %+v", st)
	}
}

// TestPausedTrainingsCannotStarveOthers is the attack of the review: one
// address starts many trainings and pauses them; others' trainings still
// run, and the address cannot hold more than its share.
func TestPausedTrainingsCannotStarveOthers(t *testing.T) {
	m := newTestManager(t, Options{MaxRunning: 2, MaxQueued: 4, MaxPerAddress: 3})
	var mine []*Session
	for i := 0; i < 3; i++ {
		st, err := m.Start("10.1.1.1", long())
		if err != nil {
			t.Fatal(err)
		}
		mine = append(mine, st[0].Session)
	}
	if _, err := m.Start("10.1.1.1", long()); ErrorCode(err) != EUnavailable || !strings.Contains(ErrorMessage(err), "at most 3") {
		t.Fatalf("a 4th training from the same address: %v, want unavailable naming the share", err)
	}
	for _, s := range mine[:2] {
		waitState(t, s, Running)
		if err := s.Pause(); err != nil {
			t.Fatal(err)
		}
		waitState(t, s, Paused)
	}
	waitState(t, mine[2], Running)
	other, err := m.Start("10.2.2.2", small())
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, other[0].Session)
	if other[0].Session.State() != Completed {
		t.Fatalf("another address's training ended %s", other[0].Session.State())
	}
	for _, s := range mine {
		_ = s.Stop()
		waitDone(t, s)
	}
}

// TestFreeSlotsGoToTheAddressWithFewest: when a slot frees, the queued
// training of the address with the fewest running goes first, even if it
// arrived last.
func TestFreeSlotsGoToTheAddressWithFewest(t *testing.T) {
	m := newTestManager(t, Options{MaxRunning: 2, MaxQueued: 8})
	var busy []*Session
	for i := 0; i < 4; i++ {
		st, err := m.Start("10.1.1.1", long())
		if err != nil {
			t.Fatal(err)
		}
		busy = append(busy, st[0].Session)
	}
	st, err := m.Start("10.2.2.2", long())
	if err != nil {
		t.Fatal(err)
	}
	late := st[0].Session
	waitState(t, busy[0], Running)
	waitState(t, busy[1], Running)
	_ = busy[0].Stop()
	waitState(t, late, Running)
	if s := busy[2].State(); s != Queued {
		t.Fatalf("the busy address's next training is %s, want still queued", s)
	}
	for _, s := range append(busy, late) {
		_ = s.Stop()
		waitDone(t, s)
	}
}

// TestQueueBoundHoldsUnderABurst: many starts at once never put more
// trainings in the queue than its bound (run with -race).
func TestQueueBoundHoldsUnderABurst(t *testing.T) {
	const running, queued = 2, 5
	m := newTestManager(t, Options{MaxRunning: running, MaxQueued: queued, MaxPerAddress: 100})
	var ok atomic.Int32
	var wg sync.WaitGroup
	var mu sync.Mutex
	var started []*Session
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 1 + i%3 // single trainings and labs of 2 or 3 runs
			cfgs := make([]Config, n)
			for j := range cfgs {
				cfgs[j] = long()
			}
			st, err := m.Start("", cfgs...)
			if err != nil {
				if ErrorCode(err) != EUnavailable {
					t.Errorf("refusal: %v, want unavailable", err)
				}
				return
			}
			ok.Add(int32(n))
			mu.Lock()
			for _, x := range st {
				started = append(started, x.Session)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if st := m.Stats(); st.Queued > queued || st.Running > running {
		t.Fatalf("after the burst: %d running, %d queued; bounds %d and %d", st.Running, st.Queued, running, queued)
	}
	if n := int(ok.Load()); n > running+queued || n < running+queued-2 {
		t.Fatalf("%d trainings admitted, want the %d places filled (all or none per start)", n, running+queued)
	}
	for _, s := range started {
		_ = s.Stop()
		waitDone(t, s)
	}
}

// TestRateTokensPerAction: a start of several trainings (a sweep or a lab)
// takes one token; refused starts give theirs back; IPv6 addresses are
// counted per /64.
func TestRateTokensPerAction(t *testing.T) {
	m := newTestManager(t, Options{StartLimit: RateLimit{Burst: 2, PerMinute: 1}, MaxRunning: 4, MaxQueued: 20, MaxPerAddress: 20})
	var all []*Session
	start := func(addr string, n int) error {
		cfgs := make([]Config, n)
		for i := range cfgs {
			cfgs[i] = small()
		}
		st, err := m.Start(addr, cfgs...)
		for _, x := range st {
			all = append(all, x.Session)
		}
		return err
	}
	if err := start("192.0.2.1", 3); err != nil { // a lab of three runs: one token
		t.Fatal(err)
	}
	bad := small()
	bad.BatchSize = -1
	if _, err := m.Start("192.0.2.1", bad); ErrorCode(err) != EInvalid { // refused before the token
		t.Fatalf("invalid start: %v", err)
	}
	if err := start("192.0.2.1", 1); err != nil {
		t.Fatalf("second action: %v", err)
	}
	err := start("192.0.2.1", 1)
	var e *Error
	if ErrorCode(err) != ERateLimited || !asError(err, &e) || e.Retry <= 0 || !strings.Contains(e.Message, "at most 2 at once") {
		t.Fatalf("third action: %v, want rate limited with a Retry", err)
	}
	if err := start("192.0.2.2", 1); err != nil {
		t.Fatalf("another address: %v", err)
	}
	if err := start("2001:db8:1:2::1", 1); err != nil {
		t.Fatal(err)
	}
	if err := start("2001:db8:1:2:ffff::9", 1); err != nil {
		t.Fatal(err)
	}
	if err := start("2001:db8:1:2:abcd::5", 1); ErrorCode(err) != ERateLimited {
		t.Fatalf("a third address of the same /64: %v, want rate limited", err)
	}
	if err := start("2001:db8:1:3::1", 1); err != nil {
		t.Fatalf("another /64: %v", err)
	}
	for _, s := range all {
		waitDone(t, s)
	}
}

func asError(err error, e **Error) bool {
	x, ok := err.(*Error)
	*e = x
	return ok
}

// TestLimiterRefills checks the buckets' arithmetic on a fake clock.
func TestLimiterRefills(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newLimiter([rateClasses]RateLimit{rateStart: {Burst: 60, PerMinute: 60}})
	l.now = func() time.Time { return now }
	for i := 0; i < 60; i++ {
		if _, err := l.take("10.0.0.1", rateStart, "starts"); err != nil {
			t.Fatalf("start %d of the burst: %v", i+1, err)
		}
	}
	_, err := l.take("10.0.0.1", rateStart, "starts")
	var e *Error
	if !asError(err, &e) || e.Retry != time.Second {
		t.Fatalf("61st start: %v, want refused for 1 s", err)
	}
	now = now.Add(30 * time.Second)
	for i := 0; i < 30; i++ {
		if _, err := l.take("10.0.0.1", rateStart, "starts"); err != nil {
			t.Fatalf("after 30 s, start %d: %v", i+1, err)
		}
	}
	if _, err := l.take("10.0.0.1", rateStart, "starts"); err == nil {
		t.Fatal("more than the refilled tokens were granted")
	}
	r, err := l.take("10.0.0.3", rateStart, "starts")
	if err != nil {
		t.Fatal(err)
	}
	r.cancel()
	for i := 0; i < 60; i++ { // the cancelled token came back: a full burst
		if _, err := l.take("10.0.0.3", rateStart, "starts"); err != nil {
			t.Fatalf("after a cancel, start %d: %v", i+1, err)
		}
	}
}

// TestMemoryBudget: a training that does not fit what is free waits in the
// queue (running slots free or not); one larger than the whole budget is
// refused at creation naming the field to shrink and what would fit; other
// work beyond what is free is refused saying why.
func TestMemoryBudget(t *testing.T) {
	c := small()
	c.Encoder, c.BatchSize = []int{512}, 512
	c.TrainSize, c.Epochs, c.TestSize = 60000, 20, 200
	c = c.Defaults()
	need := trainingMemory(c, 784, 60000, 200)
	budget := int64(float64(need)*1.5*8/7) + 1 // one fits in the trainings' 7/8, two do not
	m := newTestManager(t, Options{MaxMemory: budget, MaxRunning: 8, CoreGFLOPS: 1000})
	a, _, err := m.Create(c)
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, a, Running)
	b, _, err := m.Create(c)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if in := b.Info(); in.State != Queued || in.QueuePosition != 1 {
		t.Fatalf("a second training that does not fit in memory: %s at %d, want queued", in.State, in.QueuePosition)
	}
	if st := m.Stats(); st.MemoryUsed != need || st.MemoryBudget != budget {
		t.Fatalf("stats: used %d of %d, want %d of %d", st.MemoryUsed, st.MemoryBudget, need, budget)
	}
	// Other work that does not fit what is left is refused, saying why.
	err = m.Do(context.Background(), Work{Kind: WorkAnalysis, Memory: budget - need + 1}, func(context.Context) error { return nil })
	if ErrorCode(err) != EUnavailable || !strings.Contains(ErrorMessage(err), "is free of a") {
		t.Fatalf("an analysis beyond the free memory: %v", err)
	}
	// Too big for the whole budget: refused at creation, naming batch_size
	// and a batch that fits.
	big := c
	big.BatchSize = 4096 // 4096 × (512+2+512+784) is inside the engine's own bound
	_, _, fe := m.Check(big)
	if len(fe) != 1 || fe[0].Field != "batch_size" || !strings.Contains(fe[0].Message, "a batch of") || !strings.Contains(fe[0].Message, "would fit") {
		t.Fatalf("a training beyond the budget: %v, want batch_size naming a batch that fits", fe)
	}
	if _, _, err := m.Create(big); ErrorCode(err) != EInvalid {
		t.Fatalf("creating it: %v, want invalid", err)
	}
	_ = a.Stop()
	waitState(t, b, Running) // the memory a held is b's now
	_ = b.Stop()
	waitDone(t, a)
	waitDone(t, b)
	if st := m.Stats(); st.MemoryUsed != 0 {
		t.Fatalf("%d bytes reserved after both ended", st.MemoryUsed)
	}
}

// TestTooHeavyStepRefused: a configuration whose one step cannot fit a
// turn on this machine is refused, naming batch_size (and a batch that
// fits) or the layers.
func TestTooHeavyStepRefused(t *testing.T) {
	m := newTestManager(t, Options{CoreGFLOPS: 10})
	c := Config{Encoder: []int{3000}, Bottleneck: 32, BatchSize: 4096, Epochs: 1, TrainSize: 4096, TestSize: 100}
	_, _, fe := m.Check(c)
	if len(fe) != 1 || fe[0].Field != "batch_size" || !strings.Contains(fe[0].Message, "use a batch of at most") {
		t.Fatalf("batch 4096 × width 3000: %v, want batch_size", fe)
	}
	c.Encoder, c.BatchSize = []int{1500}, 1
	m2 := newTestManager(t, Options{CoreGFLOPS: 0.01})
	if _, _, fe := m2.Check(c); len(fe) == 0 || fe[0].Field != "encoder" {
		t.Fatalf("a network too big for a step even with a batch of 1: %v, want encoder", fe)
	}
	// The default training is far inside the bounds.
	if _, _, fe := m.Check(Config{Bottleneck: 2}); len(fe) != 0 {
		t.Fatalf("the default configuration: %v", fe)
	}
	// A training longer than the compute bound (15 core-minutes) names the epochs.
	lc := Config{Encoder: []int{512}, Bottleneck: 16, Epochs: 90}
	if _, _, fe := m.Check(lc); len(fe) != 1 || fe[0].Field != "epochs" || !strings.Contains(fe[0].Message, "core-minutes") {
		t.Fatalf("200 epochs of MNIST through 512 units: %v, want epochs", fe)
	}
}

// TestOtherWorkLeavesCoresToTrainings: views and analyses hold at most half
// the cores at once; a training running beside them keeps advancing.
func TestOtherWorkLeavesCoresToTrainings(t *testing.T) {
	m := newTestManager(t, Options{Cores: 2})
	s, _, err := m.Create(long())
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, s, Running)
	var now, most atomic.Int32
	var wg sync.WaitGroup
	step0 := s.Info().Step
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := m.Do(context.Background(), Work{Kind: WorkAnalysis, Wait: 30 * time.Second}, func(context.Context) error {
				n := now.Add(1)
				for {
					m := most.Load()
					if n <= m || most.CompareAndSwap(m, n) {
						break
					}
				}
				time.Sleep(100 * time.Millisecond)
				now.Add(-1)
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if most.Load() != 1 {
		t.Fatalf("%d analyses computed at once on 2 cores; want 1 (half)", most.Load())
	}
	if s.Info().Step == step0 {
		t.Fatal("the training made no progress while analyses ran")
	}
	// A request that cannot get a turn in time is refused with 503.
	hold := make(chan struct{})
	go func() {
		_ = m.Do(context.Background(), Work{Kind: WorkAnalysis}, func(context.Context) error { <-hold; return nil })
	}()
	waitFor(t, func() bool { return m.Stats().Computing >= 2 })
	err = m.Do(context.Background(), Work{Kind: WorkView, Wait: 50 * time.Millisecond}, func(context.Context) error { return nil })
	close(hold)
	if ErrorCode(err) != EUnavailable {
		t.Fatalf("a view without a turn in time: %v, want unavailable", err)
	}
	_ = s.Stop()
	waitDone(t, s)
}

// TestShutdownClosesComparisonStores: the manager owns the comparison
// stores made for it, so their PCA baselines do not outlive shutdown.
func TestShutdownClosesComparisonStores(t *testing.T) {
	m := NewManager(Options{Datasets: testRegistry})
	st := NewComparisonStore(m)
	if _, _, err := st.CreateSweep("", tiny(), []int{2, 4}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := m.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.CreateSweep("", tiny(), []int{2, 4}); ErrorCode(err) != EUnavailable {
		t.Fatalf("a sweep after shutdown: %v", err)
	}
	// goleak (TestMain) checks that no baseline goroutine is left.
}
