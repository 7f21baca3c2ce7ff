// Conformance: a batch is written whole or not at all, and concurrent
// writers and readers.

package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/aelab/aelab/session"
)

// A batch that cannot be written leaves nothing behind.
func testAtomicBatch(t *testing.T, s session.Store) {
	ctx := context.Background()
	err := s.Write(ctx, &session.Batch{
		Sessions:    []session.SessionRecord{Record("a", session.Running, t0)},
		Points:      map[string][]session.SeriesPoint{"a": {{Series: "train", Step: 1, Value: 1}}},
		Checkpoints: []session.Checkpoint{{SessionID: "no-such-session", Step: 1, Params: params(4, 1)}},
	})
	if err == nil {
		t.Fatal("a checkpoint of an unknown session was accepted")
	}
	if got, _ := s.Sessions(ctx); len(got) != 0 {
		t.Fatalf("a failed batch left sessions behind: %v", got)
	}
	if got, _ := s.Points(ctx, "a"); len(got) != 0 {
		t.Fatalf("a failed batch left points behind: %v", got)
	}
}

func testConcurrent(t *testing.T, s session.Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("s%d", g)
			if err := s.Write(ctx, &session.Batch{Sessions: []session.SessionRecord{Record(id, session.Running, t0)}}); err != nil {
				errs <- err
				return
			}
			for i := 0; i < 20; i++ {
				if err := s.Write(ctx, &session.Batch{Points: map[string][]session.SeriesPoint{id: {{Series: "train", Step: i, Value: float64(i)}}}}); err != nil {
					errs <- err
					return
				}
				if _, err := s.Points(ctx, id); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for g := 0; g < 8; g++ {
		if pts, _ := s.Points(ctx, fmt.Sprintf("s%d", g)); len(pts) != 20 {
			t.Errorf("s%d has %d points, want 20", g, len(pts))
		}
	}
}
