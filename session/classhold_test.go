package session

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestClassRunBoundExactAcrossReplicas: three replicas each start two runs
// of one class at the same moment, with room for four, on a store that
// takes 20 ms an operation: exactly four start (before, each replica
// checked its own copy and five or six started), the other two are
// refused naming the bound, and no place stays kept.
func TestClassRunBoundExactAcrossReplicas(t *testing.T) {
	m := newTestManager(t, Options{})
	store, ev := &countingClassStore{}, &memClassEvents{}
	lim := ClassLimits{MaxClasses: 10, MaxPerAddr: 10, MaxStudents: 50, MaxRuns: 4}
	var copies [3]*Class
	var c0 *Class
	for i := range copies {
		b := newTestBook(t, m, ClassOptions{Store: store, Events: ev, Limits: lim})
		if i == 0 {
			var err error
			if c0, _, err = b.Create("x", NewClass{Name: "Y"}, Owner{}); err != nil {
				t.Fatal(err)
			}
		}
		c, err := b.Get(c0.ID())
		if err != nil {
			t.Fatal(err)
		}
		copies[i] = c
	}
	var keys []Owner
	for i := range 6 {
		_, key, _, err := copies[i%3].Join(fmt.Sprintf("Student %d", i), Owner{})
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, OwnerOf(key))
	}
	for _, c := range copies {
		eventually(t, "every student known to every replica", func() bool { return len(c.Students()) == 6 })
	}
	store.delay = 20 * time.Millisecond // a store over a network
	var wg sync.WaitGroup
	errs := make([]error, 6)
	sessions := make([]*Session, 6)
	gate := make(chan struct{})
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			sessions[i], _, errs[i] = copies[i%3].StartRun(keys[i], small(), nil)
		}()
	}
	close(gate)
	wg.Wait()
	started := 0
	for i, err := range errs {
		switch {
		case err == nil:
			started++
		case ErrorCode(err) != EConflict:
			t.Errorf("start %d: %v, want a conflict naming the bound", i, err)
		}
	}
	kept, err := store.Class(context.Background(), c0.ID())
	if err != nil {
		t.Fatal(err)
	}
	if started != 4 || len(kept.Runs) != 4 {
		t.Errorf("%d runs started, %d kept; the class may keep 4", started, len(kept.Runs))
	}
	if len(kept.Holds) != 0 {
		t.Errorf("places still kept after every start answered: %+v", kept.Holds)
	}
	t.Logf("6 starts at once through 3 replicas, room for 4: %d started, %d kept; %d class writes tried", started, len(kept.Runs), store.writes.Load())
	for _, s := range sessions {
		if s != nil {
			s.Stop()
		}
	}
}

// TestClassRunHoldGivenBack: a start the door refuses gives its place back
// at once, and a place whose replica died before writing its run stops
// counting when it expires.
func TestClassRunHoldGivenBack(t *testing.T) {
	m := newTestManager(t, Options{})
	store := &memClassStore{}
	b := newTestBook(t, m, ClassOptions{Store: store, Limits: ClassLimits{MaxClasses: 10, MaxPerAddr: 10, MaxStudents: 50, MaxRuns: 2}})
	c, _, err := b.Create("x", NewClass{Name: "Y"}, Owner{})
	if err != nil {
		t.Fatal(err)
	}
	_, key, _, err := c.Join("Ana", Owner{})
	if err != nil {
		t.Fatal(err)
	}
	bad := small()
	bad.Dataset = "no-such-dataset"
	if _, _, err := c.StartRun(OwnerOf(key), bad, nil); err == nil {
		t.Fatal("a start on a dataset the server lacks was admitted")
	}
	if r, _ := store.Class(context.Background(), c.ID()); len(r.Holds) != 0 || len(r.Runs) != 0 {
		t.Fatalf("after a refused start: holds %+v, runs %d", r.Holds, len(r.Runs))
	}
	// A replica that died holding a place (written as it would have):
	// it counts until it expires.
	_ = c.change(func(r *ClassRecord) (bool, error) {
		r.Holds = append(r.Holds, RunHold{ID: "dead", Until: time.Now().Add(300 * time.Millisecond)})
		return true, nil
	})
	s1, _, err := c.StartRun(OwnerOf(key), small(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s1.Stop()
	if _, _, err := c.StartRun(OwnerOf(key), small(), nil); ErrorCode(err) != EConflict {
		t.Fatalf("a start with one run and one live place, room for 2: %v", err)
	}
	time.Sleep(400 * time.Millisecond)
	s2, _, err := c.StartRun(OwnerOf(key), small(), nil)
	if err != nil {
		t.Fatalf("a start once the dead replica's place expired: %v", err)
	}
	defer s2.Stop()
	if r, _ := store.Class(context.Background(), c.ID()); len(r.Holds) != 0 || len(r.Runs) != 2 {
		t.Fatalf("holds %+v, runs %d; want none and 2", r.Holds, len(r.Runs))
	}
}
