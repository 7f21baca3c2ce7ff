package session_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aelab/aelab/internal/store/storetest"
	"github.com/aelab/aelab/session"
)

// The run list shows every run the store keeps, not only the newest
// MaxFinished the manager holds; each one opens (Get loads it back), a run
// the store says was live comes back interrupted, and paging by cursor
// visits every run once.
func TestRunsListsEveryKeptRun(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, t.TempDir())
	defer st.Close()
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	var recs []session.SessionRecord
	for i := range 23 {
		r := storetest.Record(fmt.Sprintf("run%02d", i), session.Completed, t0.Add(time.Duration(i)*time.Minute))
		r.Config.Bottleneck = 2 + i%2
		recs = append(recs, r)
	}
	recs[1].State = session.Running // the server died during it
	recs[1].FinishedAt, recs[1].TestLoss = time.Time{}, nil
	if err := st.Write(ctx, &session.Batch{Sessions: recs}); err != nil {
		t.Fatal(err)
	}
	m := session.NewManager(session.Options{Datasets: registry, Store: st, MaxFinished: 5})
	defer shutdown(t, m)
	if err := m.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(m.List()); n != 5 {
		t.Fatalf("the manager holds %d runs, want MaxFinished = 5", n)
	}

	var ids []string
	q := session.SessionQuery{Limit: 10}
	for pages := 0; ; pages++ {
		page, err := m.Runs(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Sessions) > 10 {
			t.Fatalf("a page of %d runs, limit 10", len(page.Sessions))
		}
		for _, in := range page.Sessions {
			ids = append(ids, in.ID)
			if in.ID == "run01" && in.State != session.Interrupted {
				t.Errorf("run01 (running when the server stopped) is listed as %q, want interrupted", in.State)
			}
			if in.Summary.Params == 0 {
				t.Errorf("%s is listed without its architecture summary", in.ID)
			}
		}
		if page.Next == "" {
			if pages != 2 {
				t.Errorf("%d pages after the first, want 2", pages)
			}
			break
		}
		c, ok := session.ParseCursor(page.Next)
		if !ok {
			t.Fatalf("next cursor %q does not parse", page.Next)
		}
		q.After = c
	}
	want := make([]string, 23)
	for i := range want {
		want[i] = fmt.Sprintf("run%02d", 22-i)
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("listed %v, want every kept run newest first %v", ids, want)
	}

	// Filters reach the runs that are not in memory too.
	page, err := m.Runs(ctx, session.SessionQuery{Bottleneck: 3, Limit: 200})
	if err != nil || len(page.Sessions) != 11 {
		t.Fatalf("bottleneck 3: %d runs, %v; want 11", len(page.Sessions), err)
	}

	// An old run opens: loaded back from the store, not added to the list.
	s, err := m.Get("run00")
	if err != nil {
		t.Fatalf("Get of a run the manager forgot: %v", err)
	}
	if in := s.Info(); in.State != session.Completed || in.TestLoss == nil || in.Config.Bottleneck != 2 {
		t.Errorf("run00 came back as %+v", in)
	}
	if again, _ := m.Get("run00"); again != s {
		t.Error("a second Get loaded run00 again instead of using the loaded one")
	}
	if n := len(m.List()); n != 5 {
		t.Errorf("after opening an old run the manager lists %d, want 5", n)
	}
	if _, err := m.Get("nosuchrun"); session.ErrorCode(err) != session.ENotFound {
		t.Errorf("Get of an unknown run: %v, want not found", err)
	}
}

// Without a store the run list is what the manager holds, with the same
// filters and paging.
func TestRunsWithoutStore(t *testing.T) {
	ctx := context.Background()
	m := session.NewManager(session.Options{Datasets: registry})
	defer shutdown(t, m)
	a, _, err := m.Create(session.Config{Dataset: "blobs", Encoder: []int{16}, Bottleneck: 2, OutputActivation: "linear", BatchSize: 32, Epochs: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := m.Create(session.Config{Dataset: "blobs", Encoder: []int{16}, Bottleneck: 3, OutputActivation: "linear", BatchSize: 32, Epochs: 1, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	wait(t, a)
	wait(t, b)
	page, err := m.Runs(ctx, session.SessionQuery{Limit: 1})
	if err != nil || len(page.Sessions) != 1 || page.Sessions[0].ID != b.ID() || page.Next == "" {
		t.Fatalf("first page = %+v, %v; want the newest run and a cursor", page, err)
	}
	c, _ := session.ParseCursor(page.Next)
	page, _ = m.Runs(ctx, session.SessionQuery{Limit: 1, After: c})
	if len(page.Sessions) != 1 || page.Sessions[0].ID != a.ID() || page.Next != "" {
		t.Fatalf("second page = %+v; want the older run and no cursor", page)
	}
	page, _ = m.Runs(ctx, session.SessionQuery{Bottleneck: 3})
	if len(page.Sessions) != 1 || page.Sessions[0].ID != b.ID() {
		t.Fatalf("bottleneck 3 = %+v", page)
	}
}
