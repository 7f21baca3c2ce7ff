package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/aelab/aelab/session"
)

func testClasses(t *testing.T, s session.Store) {
	ctx := context.Background()
	if got, err := s.Classes(ctx); err != nil || len(got) != 0 {
		t.Fatalf("Classes of an empty store = %v, %v", got, err)
	}
	loss, pca := 0.031, 0.05
	preset := session.Config{Dataset: "mnist", Encoder: []int{32}, Bottleneck: 2, Epochs: 1}
	c1 := session.ClassRecord{ID: "k1", Name: "Year 11", Code: "K7Q-4XP", TeacherHash: []byte{1, 2, 3}, Open: true,
		Lesson: session.Lesson{Preset: &preset, Locked: []string{"bottleneck"}, Hidden: []string{}}, Addr: "10.0.0.1",
		CreatedAt: t0.Add(time.Minute), Students: []session.StudentRecord{{Name: "Ana", KeyHash: []byte{9}, JoinedAt: t0.Add(2 * time.Minute)}},
		Runs: []session.ClassRunRecord{{SessionID: "s1", Student: "Ana", Config: preset, CreatedAt: t0.Add(3 * time.Minute),
			State: session.Completed, TestLoss: &loss, PCA: &pca, Seconds: 12.5}}}
	c0 := session.ClassRecord{ID: "k0", Name: "Year 10", Code: "ACD-EFG", TeacherHash: []byte{4}, CreatedAt: t0,
		Lesson: session.Lesson{Locked: []string{}, Hidden: []string{}}}
	for _, c := range []session.ClassRecord{c1, c0} {
		if err := s.CreateClass(ctx, c, 10, 10); err != nil {
			t.Fatal(err)
		}
	}
	c0.Version, c1.Version = 1, 1
	c0.Open = true // replaced whole
	c0.Students = []session.StudentRecord{{Name: "Ben", KeyHash: []byte{7}, JoinedAt: t0}}
	v, err := s.UpdateClass(ctx, c0)
	if err != nil || v != 2 {
		t.Fatalf("UpdateClass = %d, %v; want version 2", v, err)
	}
	c0.Version = 2
	got, err := s.Classes(ctx)
	if err != nil || len(got) != 2 {
		t.Fatalf("Classes = %v, %v", got, err)
	}
	for i, want := range []session.ClassRecord{c0, c1} {
		sameClass(t, fmt.Sprintf("class %d", i), got[i], want)
	}
	g, err := s.Class(ctx, "k1")
	if err != nil {
		t.Fatal(err)
	}
	sameClass(t, "Class(k1)", g, c1)
	if g, err = s.ClassByCode(ctx, "ACD-EFG"); err != nil {
		t.Fatal(err)
	}
	sameClass(t, "ClassByCode(ACD-EFG)", g, c0)
	if _, err := s.Class(ctx, "nope"); !errors.Is(err, session.ErrClassMissing) {
		t.Errorf("Class(nope) = %v, want ErrClassMissing", err)
	}
	if _, err := s.ClassByCode(ctx, "ZZZ-ZZZ"); !errors.Is(err, session.ErrClassMissing) {
		t.Errorf("ClassByCode(ZZZ-ZZZ) = %v, want ErrClassMissing", err)
	}
}

// sameClass compares two records, times by instant.
func sameClass(t *testing.T, what string, g, want session.ClassRecord) {
	t.Helper()
	if !g.CreatedAt.Equal(want.CreatedAt) || len(g.Students) != len(want.Students) || len(g.Runs) != len(want.Runs) {
		t.Fatalf("%s = %+v, want %+v", what, g, want)
	}
	for j := range g.Students {
		if !g.Students[j].JoinedAt.Equal(want.Students[j].JoinedAt) {
			t.Errorf("%s: student joined %v, want %v", what, g.Students[j].JoinedAt, want.Students[j].JoinedAt)
		}
		g.Students[j].JoinedAt = want.Students[j].JoinedAt
	}
	for j := range g.Runs {
		if !g.Runs[j].CreatedAt.Equal(want.Runs[j].CreatedAt) {
			t.Errorf("%s: run created %v, want %v", what, g.Runs[j].CreatedAt, want.Runs[j].CreatedAt)
		}
		g.Runs[j].CreatedAt = want.Runs[j].CreatedAt
	}
	g.CreatedAt = want.CreatedAt
	if !reflect.DeepEqual(g, want) {
		t.Errorf("%s = %+v, want %+v", what, g, want)
	}
}

// testClassVersions: a write based on an old version is refused, so two
// writers cannot overwrite each other's change.
func testClassVersions(t *testing.T, s session.Store) {
	ctx := context.Background()
	c := session.ClassRecord{ID: "k1", Name: "Year 11", Code: "K7Q-4XP", TeacherHash: []byte{1}, Open: true, CreatedAt: t0}
	if err := s.CreateClass(ctx, c, 10, 10); err != nil {
		t.Fatal(err)
	}
	a, err := s.Class(ctx, "k1")
	if err != nil || a.Version != 1 {
		t.Fatalf("a new class = version %d, %v; want 1", a.Version, err)
	}
	b := a
	a.Students = []session.StudentRecord{{Name: "Ana", KeyHash: []byte{9}, JoinedAt: t0}}
	if v, err := s.UpdateClass(ctx, a); err != nil || v != 2 {
		t.Fatalf("first writer: version %d, %v; want 2", v, err)
	}
	b.Open = false // based on version 1: refused
	if _, err := s.UpdateClass(ctx, b); !errors.Is(err, session.ErrClassChanged) {
		t.Fatalf("a write based on version 1 after version 2 = %v, want ErrClassChanged", err)
	}
	got, _ := s.Class(ctx, "k1")
	if got.Version != 2 || !got.Open || len(got.Students) != 1 {
		t.Fatalf("after the refused write: %+v", got)
	}
	got.Open = false
	if v, err := s.UpdateClass(ctx, got); err != nil || v != 3 {
		t.Fatalf("the write read again: version %d, %v; want 3", v, err)
	}
	if got, _ = s.Class(ctx, "k1"); got.Version != 3 || got.Open || len(got.Students) != 1 {
		t.Fatalf("both changes kept? %+v", got)
	}
	if _, err := s.UpdateClass(ctx, session.ClassRecord{ID: "nope", Version: 1}); !errors.Is(err, session.ErrClassMissing) {
		t.Errorf("UpdateClass of a missing class = %v, want ErrClassMissing", err)
	}
	if err := s.CreateClass(ctx, session.ClassRecord{ID: "k1", Code: "OTH-ERC", CreatedAt: t0}, 10, 10); !errors.Is(err, session.ErrClassTaken) {
		t.Errorf("CreateClass with a kept id = %v, want ErrClassTaken", err)
	}
	if err := s.CreateClass(ctx, session.ClassRecord{ID: "k2", Code: "K7Q-4XP", CreatedAt: t0}, 10, 10); !errors.Is(err, session.ErrClassTaken) {
		t.Errorf("CreateClass with a kept code = %v, want ErrClassTaken", err)
	}
}

// testClassConcurrentJoins: writers adding a student each to one class at
// once, each reading again and retrying when refused, lose none.
func testClassConcurrentJoins(t *testing.T, s session.Store) {
	ctx := context.Background()
	if err := s.CreateClass(ctx, session.ClassRecord{ID: "k1", Name: "Y", Code: "K7Q-4XP", Open: true, CreatedAt: t0}, 10, 10); err != nil {
		t.Fatal(err)
	}
	const writers = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	conflicts := 0
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
				r.Students = append(r.Students, session.StudentRecord{Name: fmt.Sprintf("s%d", i), KeyHash: []byte{byte(i)}, JoinedAt: t0})
				_, err = s.UpdateClass(ctx, r)
				if err == nil {
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
	if len(r.Students) != writers || r.Version != writers+1 {
		t.Fatalf("%d students at version %d, want %d at %d (%d conflicts retried)", len(r.Students), r.Version, writers, writers+1, conflicts)
	}
	t.Logf("%d writers, %d conflicts retried", writers, conflicts)
}

// testClassBounds: the total and per-address bounds are checked with the
// insert, also when creations race.
func testClassBounds(t *testing.T, s session.Store) {
	ctx := context.Background()
	mk := func(i int, addr string) session.ClassRecord {
		return session.ClassRecord{ID: fmt.Sprintf("k%d", i), Code: fmt.Sprintf("C%02d-AAA", i), Addr: addr, CreatedAt: t0, Open: true}
	}
	for i := range 2 {
		if err := s.CreateClass(ctx, mk(i, "a"), 5, 2); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateClass(ctx, mk(2, "a"), 5, 2); !errors.Is(err, session.ErrClassAddrLimit) {
		t.Fatalf("a third class of one address, 2 allowed = %v, want ErrClassAddrLimit", err)
	}
	// Eight at once from other addresses, five in all allowed: three pass.
	var wg sync.WaitGroup
	res := make(chan error, 8)
	for i := 10; i < 18; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res <- s.CreateClass(ctx, mk(i, fmt.Sprintf("b%d", i)), 5, 2)
		}()
	}
	wg.Wait()
	close(res)
	ok, limited := 0, 0
	for err := range res {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, session.ErrClassLimit):
			limited++
		default:
			t.Errorf("CreateClass = %v", err)
		}
	}
	all, _ := s.Classes(ctx)
	if ok != 3 || limited != 5 || len(all) != 5 {
		t.Fatalf("8 creations racing for 3 places: %d kept, %d refused, %d classes; want 3, 5, 5", ok, limited, len(all))
	}
	// The per-address bound counts the classes of the last
	// ClassAddrWindow: a day later the address creates classes again (a
	// school's teachers share one address all year).
	later := mk(3, "a")
	later.CreatedAt = t0.Add(session.ClassAddrWindow + time.Minute)
	if err := s.CreateClass(ctx, later, 6, 2); err != nil {
		t.Fatalf("a class of the address a day after its two = %v, want it kept", err)
	}
	later = mk(4, "a")
	later.CreatedAt = t0.Add(session.ClassAddrWindow - time.Minute)
	if err := s.CreateClass(ctx, later, 7, 2); !errors.Is(err, session.ErrClassAddrLimit) {
		t.Fatalf("a third class of the address within a day of its two = %v, want ErrClassAddrLimit", err)
	}
	testClassTotalCountsOpenLive(t, s, mk)
}

// testClassTotalCountsOpenLive: the total bound counts the open classes
// created in the ClassLiveWindow: closing one frees its place (its record
// stays), and a week later the old ones no longer count. Counted for good,
// the 201st class of a server was refused forever. s keeps six open
// classes, created at t0 and a day after.
func testClassTotalCountsOpenLive(t *testing.T, s session.Store, mk func(int, string) session.ClassRecord) {
	ctx := context.Background()
	next := mk(20, "c")
	next.CreatedAt = t0.Add(time.Hour)
	if err := s.CreateClass(ctx, next, 6, 2); !errors.Is(err, session.ErrClassLimit) {
		t.Fatalf("a seventh open class, 6 allowed = %v, want ErrClassLimit", err)
	}
	r, err := s.Class(ctx, "k0")
	if err != nil {
		t.Fatal(err)
	}
	r.Open = false
	if _, err := s.UpdateClass(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateClass(ctx, next, 6, 2); err != nil {
		t.Fatalf("a class after one of the six closed = %v, want it kept", err)
	}
	if r, err := s.Class(ctx, "k0"); err != nil || r.Open {
		t.Fatalf("the closed class = %+v, %v; want it kept, closed", r, err)
	}
	late := mk(21, "d")
	late.CreatedAt = t0.Add(session.ClassLiveWindow - time.Minute)
	if err := s.CreateClass(ctx, late, 6, 2); !errors.Is(err, session.ErrClassLimit) {
		t.Fatalf("a seventh open class within a week of the others = %v, want ErrClassLimit", err)
	}
	// A week and two hours on, only the class of t0 plus a day counts.
	late.CreatedAt = t0.Add(session.ClassLiveWindow + 2*time.Hour)
	if err := s.CreateClass(ctx, late, 2, 2); err != nil {
		t.Fatalf("a class a week after the others, 2 allowed, 1 created since = %v, want it kept", err)
	}
}
