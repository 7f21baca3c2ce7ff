package session

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// threeReplicas makes three books (three replicas) on one store and one
// announcement bus, each with a PCA figure that counts its calls, and a
// class made through the first, known to all three.
func threeReplicas(t *testing.T, takeover time.Duration, pca [3]func(context.Context, Config) Baseline) ([3]*ClassBook, [3]*Class, *countingClassStore) {
	t.Helper()
	m := newTestManager(t, Options{})
	store, ev := &countingClassStore{}, &memClassEvents{}
	var books [3]*ClassBook
	for i := range books {
		books[i] = newTestBook(t, m, ClassOptions{Store: store, Events: ev, PCA: pca[i]})
		books[i].takeover = takeover
	}
	c0, _, err := books[0].Create("x", NewClass{Name: "Y"}, Owner{})
	if err != nil {
		t.Fatal(err)
	}
	var copies [3]*Class
	for i, b := range books {
		if copies[i], err = b.Get(c0.ID()); err != nil {
			t.Fatal(err)
		}
	}
	return books, copies, store
}

func countingPCA(n *atomic.Int64) func(context.Context, Config) Baseline {
	return func(context.Context, Config) Baseline {
		n.Add(1)
		v := 0.5
		return Baseline{State: BaselineReady, MSE: &v}
	}
}

// waitKept waits until every run of the kept class has ended with its PCA
// figure, and returns the class.
func waitKept(t *testing.T, store ClassStore, id string, runs int, within time.Duration) ClassRecord {
	t.Helper()
	for end := time.Now().Add(within); ; time.Sleep(20 * time.Millisecond) {
		r, err := store.Class(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		done := len(r.Runs) == runs
		for _, x := range r.Runs {
			done = done && x.State == Completed && x.PCA != nil
		}
		if done {
			return r
		}
		if time.Now().After(end) {
			t.Fatalf("the kept class after %v: %+v", within, r.Runs)
		}
	}
}

// TestClassRunFiguredByOneReplica: three replicas follow every run of a
// class (each for its own dashboards), but each run's PCA figure is
// computed once and its figure and result written once, by the replica it
// was started through; the others take them from the store. Before, each
// of the three computed every figure (9 for 3 runs) and wrote what it
// found missing.
func TestClassRunFiguredByOneReplica(t *testing.T) {
	var n [3]atomic.Int64
	takeover := time.Second
	books, copies, store := threeReplicas(t, takeover, [3]func(context.Context, Config) Baseline{countingPCA(&n[0]), countingPCA(&n[1]), countingPCA(&n[2])})
	dash := copies[2].Subscribe() // a dashboard on the third replica
	defer dash.Close()
	for i, c := range copies {
		_, key, _, err := c.Join(fmt.Sprintf("Student %d", i), Owner{})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.StartRun(OwnerOf(key), small(), nil); err != nil {
			t.Fatal(err)
		}
	}
	kept := waitKept(t, store, copies[0].ID(), 3, 60*time.Second)
	for _, x := range kept.Runs {
		if x.Follower == "" {
			t.Errorf("run %s kept without the replica responsible for it", x.SessionID)
		}
	}
	// Past the others' takeover wait (at most twice it): nothing more.
	time.Sleep(2*takeover + time.Second)
	after, _ := store.Class(context.Background(), copies[0].ID())
	for i := range n {
		if got := n[i].Load(); got != 1 {
			t.Errorf("replica %d computed %d PCA figures, want 1 (the run started through it)", i+1, got)
		}
	}
	// Created (1), 3 joins, 3 places kept for the starts, 3 runs in their
	// places, 3 PCA figures, 3 results: version 16.
	if after.Version != 16 {
		t.Errorf("the class was written %d times, want 15 (3 joins, 3 places, 3 runs, 3 figures, 3 results); %d writes tried",
			after.Version-1, store.writes.Load())
	}
	t.Logf("3 replicas, 3 runs: PCA figures %d/%d/%d, class writes %d (%d tried), reads %d",
		n[0].Load(), n[1].Load(), n[2].Load(), after.Version-1, store.writes.Load(), store.reads.Load())
	// The third replica's copy and dashboard have every figure.
	eventually(t, "every figure on the third replica's copy", func() bool {
		for _, r := range copies[2].Runs() {
			if r.PCA == nil || r.State != Completed {
				return false
			}
		}
		return true
	})
	_ = books
}

// TestClassRunFiguresTakenOverWhenItsReplicaIsGone: the replica a run was
// started through goes away before the run ends (its PCA figure never
// came); another replica that saw the run end records its result and
// computes its figure after the takeover wait.
func TestClassRunFiguresTakenOverWhenItsReplicaIsGone(t *testing.T) {
	var n [3]atomic.Int64
	never := func(ctx context.Context, _ Config) Baseline { <-ctx.Done(); return Baseline{} }
	takeover := time.Second
	books, copies, store := threeReplicas(t, takeover, [3]func(context.Context, Config) Baseline{never, countingPCA(&n[1]), countingPCA(&n[2])})
	_, key, _, err := copies[0].Join("Ana", Owner{})
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := copies[0].StartRun(OwnerOf(key), small(), nil)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the run known to the others", func() bool { return len(copies[1].Runs()) == 1 && len(copies[2].Runs()) == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := books[0].Close(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	<-s.Done()
	kept := waitKept(t, store, copies[0].ID(), 1, 60*time.Second)
	t.Logf("taken over %v after the run ended; PCA figures by the others: %d, %d", time.Since(start).Round(time.Millisecond), n[1].Load(), n[2].Load())
	if got := n[1].Load() + n[2].Load(); got < 1 || got > 2 {
		t.Errorf("the others computed %d figures, want 1 (2 if both acted at once)", got)
	}
	if x := kept.Runs[0]; x.TestLoss == nil || x.Seconds <= 0 {
		t.Errorf("the result kept: %+v", x)
	}
}
