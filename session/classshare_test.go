package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// memClassEvents carries class announcements between books in one process,
// asynchronously as the bus does; mute drops them (a lost announcement).
type memClassEvents struct {
	mu   sync.Mutex
	subs map[int]func(string, int64)
	next int
	mute atomic.Bool
}

func (e *memClassEvents) PublishClass(id string, v int64) {
	if e.mute.Load() {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, f := range e.subs {
		go f(id, v)
	}
}

func (e *memClassEvents) WatchClasses(f func(string, int64)) (func(), error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.subs == nil {
		e.subs = map[int]func(string, int64){}
	}
	e.next++
	n := e.next
	e.subs[n] = f
	return func() { e.mu.Lock(); delete(e.subs, n); e.mu.Unlock() }, nil
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); !ok(); {
		if time.Now().After(end) {
			t.Fatalf("not seen within 5 s: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestClassSharedBetweenBooks: two books (two replicas) on one store and
// one announcement bus: a class made through one is found through the
// other by id and code, even with the announcement lost; students joining
// through both at once are all kept; one name is given once; closing it
// through one is seen by the other and by a dashboard there; the bounds
// count both books' classes.
func TestClassSharedBetweenBooks(t *testing.T) {
	m := newTestManager(t, Options{})
	store, ev := &memClassStore{}, &memClassEvents{}
	lim := ClassLimits{MaxClasses: 3, MaxPerAddr: 2, MaxStudents: 50, MaxRuns: 10}
	a := newTestBook(t, m, ClassOptions{Store: store, Events: ev, Limits: lim})
	b := newTestBook(t, m, ClassOptions{Store: store, Events: ev, Limits: lim})

	ev.mute.Store(true) // B hears nothing: it must look in the store
	ca, _, err := a.Create("x", NewClass{Name: "Year 11"}, Owner{})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := b.Get(ca.ID())
	if err != nil {
		t.Fatalf("class made through A, asked of B: %v", err)
	}
	if cb2, err := b.ByCode(ca.Code()); err != nil || cb2 != cb {
		t.Fatalf("by code through B: %v, %v", cb2, err)
	}
	if _, err := b.Get("zzzzzzzz"); ErrorCode(err) != ENotFound {
		t.Fatalf("an unknown class = %v", err)
	}
	ev.mute.Store(false)

	dash := cb.Subscribe()
	defer dash.Close()
	<-dash.C // snapshot

	// 10 students through each book at once.
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		c := ca
		if i%2 == 1 {
			c = cb
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, _, err := c.Join(fmt.Sprintf("Student %d", i), Owner{}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	kept, _ := store.Class(context.Background(), ca.ID())
	if len(kept.Students) != 20 {
		t.Fatalf("store keeps %d students, want 20", len(kept.Students))
	}
	eventually(t, "20 students in both copies", func() bool { return len(ca.Students()) == 20 && len(cb.Students()) == 20 })
	seen := map[string]bool{}
	eventually(t, "B's dashboard told of all 20", func() bool {
		for {
			select {
			case msg := <-dash.C:
				var s StudentMsg
				if json.Unmarshal(msg, &s) == nil && s.Type == TypeClassStudent {
					seen[s.Student.Name] = true
				}
				continue
			default:
			}
			return len(seen) == 20
		}
	})

	// One name, asked through both at once: given once.
	var nt [2]error
	var wg2 sync.WaitGroup
	for i, c := range []*Class{ca, cb} {
		wg2.Add(1)
		go func() { defer wg2.Done(); _, _, _, nt[i] = c.Join("Zoë", Owner{}) }()
	}
	wg2.Wait()
	var taken *NameTaken
	if (nt[0] == nil) == (nt[1] == nil) || !(errors.As(nt[0], &taken) || errors.As(nt[1], &taken)) {
		t.Fatalf("one name through both books: %v, %v; want one taken", nt[0], nt[1])
	}

	// Closed through A: B's copy closes, and B refuses a join.
	ca.SetOpen(false)
	eventually(t, "B sees the class closed", func() bool { return !cb.Info().Open })
	if _, _, _, err := cb.Join("Late", Owner{}); ErrorCode(err) != EForbidden {
		t.Fatalf("a join through B after A closed the class = %v", err)
	}

	// Bounds: address x has one class through A; one more through B, then
	// refused on either; the total bound counts both books.
	if _, _, err := b.Create("x", NewClass{Name: "2"}, Owner{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Create("x", NewClass{Name: "3"}, Owner{}); ErrorCode(err) != EConflict {
		t.Fatalf("a third class of one address = %v, want a conflict", err)
	}
	if _, _, err := a.Create("y", NewClass{Name: "3"}, Owner{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Create("z", NewClass{Name: "4"}, Owner{}); ErrorCode(err) != EUnavailable {
		t.Fatalf("a fourth class, 3 allowed = %v", err)
	}
}

// TestClassRunResultKeptOnce: every replica following a run records its
// end; a replica whose mirror was cut (a state that is not final) or that
// saw the run interrupted does not overwrite the result another recorded.
func TestClassRunResultKeptOnce(t *testing.T) {
	m := newTestManager(t, Options{})
	store := &memClassStore{}
	b := newTestBook(t, m, ClassOptions{Store: store})
	c, _, err := b.Create("x", NewClass{Name: "Y"}, Owner{})
	if err != nil {
		t.Fatal(err)
	}
	_ = c.change(func(r *ClassRecord) (bool, error) {
		r.Runs = append(r.Runs, ClassRunRecord{SessionID: "gone1234", Student: "Ana", State: Running})
		return true, nil
	})
	loss := 0.02
	state := func() State {
		r, _ := store.Class(context.Background(), c.ID())
		return r.Runs[0].State
	}
	c.updateRun(&RunTile{ID: "gone1234", State: Running}, true)
	if got := state(); got != Running {
		t.Fatalf("a cut stream recorded %s", got)
	}
	c.updateRun(&RunTile{ID: "gone1234", State: Completed, TestLoss: &loss, Seconds: 3}, true)
	c.updateRun(&RunTile{ID: "gone1234", State: Interrupted}, true)
	r, _ := store.Class(context.Background(), c.ID())
	if x := r.Runs[0]; x.State != Completed || x.TestLoss == nil || *x.TestLoss != loss || x.Seconds != 3 {
		t.Fatalf("kept %+v, want the completed result", x)
	}
	if v := r.Version; v != 3 {
		t.Fatalf("version %d: the refused changes were written (want 3: created, run added, completed)", v)
	}
	if got := c.Runs()[0].State; got != Completed {
		t.Fatalf("the copy says %s", got)
	}
}

// TestClassConvergesAfterALostAnnouncement: a replica serving a class (a
// dashboard open there) that misses the announcements of a join and a
// close reads the class again on its own within a few seconds; a class it
// does not serve is not read again.
func TestClassConvergesAfterALostAnnouncement(t *testing.T) {
	m := newTestManager(t, Options{})
	store, ev := &countingClassStore{}, &memClassEvents{}
	a := newTestBook(t, m, ClassOptions{Store: store, Events: ev})
	b := newTestBook(t, m, ClassOptions{Store: store, Events: ev})
	ca, _, err := a.Create("x", NewClass{Name: "Year 11"}, Owner{})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := b.Get(ca.ID())
	if err != nil {
		t.Fatal(err)
	}
	dash := cb.Subscribe()
	defer dash.Close()
	<-dash.C // snapshot

	ev.mute.Store(true) // every announcement from now on is lost
	if _, _, _, err := ca.Join("Ana", Owner{}); err != nil {
		t.Fatal(err)
	}
	ca.SetOpen(false)
	start := time.Now()
	var heard bool
	for !heard || len(cb.Students()) != 1 || cb.Info().Open {
		if time.Since(start) > 4*classResync+5*time.Second {
			t.Fatalf("B has not converged in %v: students %v, open %v, dashboard told %v", time.Since(start), cb.Students(), cb.Info().Open, heard)
		}
		select {
		case msg := <-dash.C:
			var s StudentMsg
			if json.Unmarshal(msg, &s) == nil && s.Type == TypeClassStudent && s.Student.Name == "Ana" {
				heard = true
			}
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Logf("B converged %v after the lost announcements (resync every %v)", time.Since(start).Round(time.Millisecond), classResync)

	// Nobody watches it on B now and it has no run: B stops reading it.
	dash.Close()
	eventually(t, "the dashboard gone", func() bool { return cb.Watchers() == 0 })
	time.Sleep(classResync / 2)
	before := store.reads.Load()
	time.Sleep(2*classResync + classResync/2)
	// A still reads nothing either: no dashboard, no run.
	if n := store.reads.Load() - before; n != 0 {
		t.Errorf("%d reads of a class no replica serves in %v", n, 2*classResync)
	}
}

// countingClassStore counts the reads and writes of a memClassStore;
// each takes delay, as over a network.
type countingClassStore struct {
	memClassStore
	reads, writes atomic.Int64
	delay         time.Duration
}

func (s *countingClassStore) Class(ctx context.Context, id string) (ClassRecord, error) {
	s.reads.Add(1)
	time.Sleep(s.delay)
	return s.memClassStore.Class(ctx, id)
}

func (s *countingClassStore) UpdateClass(ctx context.Context, r ClassRecord) (int64, error) {
	s.writes.Add(1)
	time.Sleep(s.delay)
	return s.memClassStore.UpdateClass(ctx, r)
}

// TestResyncTakesClassesInTurn: each tick reads at most the batch, going
// round the classes served.
func TestResyncTakesClassesInTurn(t *testing.T) {
	ids := []string{"a", "b", "c", "d", "e"}
	seen := map[string]int{}
	last := ""
	for range 5 {
		got := nextInTurn(ids, last, 2)
		if len(got) != 2 {
			t.Fatalf("a tick read %v, want 2", got)
		}
		for _, id := range got {
			seen[id]++
			last = id
		}
	}
	for _, id := range ids {
		if seen[id] != 2 {
			t.Errorf("in 5 ticks of 2, %s was read %d times, want 2: %v", id, seen[id], seen)
		}
	}
	if got := nextInTurn(ids, "zz", 2); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("after a class gone: %v", got)
	}
	if got := nextInTurn(ids[:2], "a", 8); len(got) != 2 {
		t.Errorf("fewer classes than the batch: %v", got)
	}
}
