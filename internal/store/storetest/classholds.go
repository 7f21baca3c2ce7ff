package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aelab/aelab/session"
)

// testClassRunPlaces: writers keeping a place for a run each in a class
// with room for 5, at once, each checking the bound on the class it read
// and writing it with that version (retrying when refused): exactly 5
// places are kept, whatever the interleaving, and they read back whole.
// The session's runs-per-class bound across replicas rests on this.
func testClassRunPlaces(t *testing.T, s session.Store) {
	ctx := context.Background()
	if err := s.CreateClass(ctx, session.ClassRecord{ID: "k1", Name: "Y", Code: "K7Q-4XP", Open: true, CreatedAt: t0,
		Runs: []session.ClassRunRecord{{SessionID: "s0", Student: "Ana", CreatedAt: t0, State: session.Completed, Follower: "r1"}}}, 10, 10); err != nil {
		t.Fatal(err)
	}
	const writers, room = 8, 5
	var wg sync.WaitGroup
	var mu sync.Mutex
	kept, full, conflicts := 0, 0, 0
	errs := make(chan error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for try := 0; try < 100; try++ {
				r, err := s.Class(ctx, "k1")
				if err != nil {
					errs <- err
					return
				}
				if len(r.Runs)+len(r.Holds) >= room {
					mu.Lock()
					full++
					mu.Unlock()
					return
				}
				r.Holds = append(r.Holds, session.RunHold{ID: fmt.Sprintf("h%d", i), Until: t0.Add(time.Duration(i) * time.Second)})
				_, err = s.UpdateClass(ctx, r)
				if err == nil {
					mu.Lock()
					kept++
					mu.Unlock()
					return
				}
				if !errors.Is(err, session.ErrClassChanged) {
					errs <- err
					return
				}
				mu.Lock()
				conflicts++
				mu.Unlock()
			}
			errs <- fmt.Errorf("writer %d: 100 conflicts in a row", i)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	r, err := s.Class(ctx, "k1")
	if err != nil {
		t.Fatal(err)
	}
	if kept != room-1 || full != writers-kept || len(r.Holds) != room-1 || len(r.Runs) != 1 {
		t.Fatalf("%d places kept (%d in the store), %d refused, with room for %d beside 1 run (%d conflicts retried)",
			kept, len(r.Holds), full, room-1, conflicts)
	}
	if r.Runs[0].Follower != "r1" {
		t.Errorf("the run's follower read back as %q", r.Runs[0].Follower)
	}
	for _, h := range r.Holds {
		var i int
		if _, err := fmt.Sscanf(h.ID, "h%d", &i); err != nil || !h.Until.Equal(t0.Add(time.Duration(i)*time.Second)) {
			t.Errorf("place %+v read back wrong", h)
		}
	}
	t.Logf("%d writers, room for %d: %d kept, %d refused, %d conflicts retried", writers, room-1, kept, full, conflicts)
}
