package session

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"sync"
	"testing"
	"time"
)

// memClassStore keeps class records in a map: the ClassStore contract at
// its simplest (versions, bounds), for the restore and sharing tests.
type memClassStore struct {
	mu   sync.Mutex
	recs map[string]ClassRecord
	ids  []string
}

func (s *memClassStore) CreateClass(_ context.Context, r ClassRecord, maxTotal, maxPerAddr int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.recs == nil {
		s.recs = map[string]ClassRecord{}
	}
	perAddr := 0
	for _, x := range s.recs {
		if x.ID == r.ID || x.Code == r.Code {
			return ErrClassTaken
		}
		if x.Addr == r.Addr {
			perAddr++
		}
	}
	switch {
	case len(s.recs) >= maxTotal:
		return ErrClassLimit
	case perAddr >= maxPerAddr:
		return ErrClassAddrLimit
	}
	s.ids = append(s.ids, r.ID)
	r.Version = 1
	s.recs[r.ID] = copyRecord(r)
	return nil
}

func (s *memClassStore) UpdateClass(_ context.Context, r ClassRecord) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.recs[r.ID]
	switch {
	case !ok:
		return 0, ErrClassMissing
	case old.Version != r.Version:
		return 0, ErrClassChanged
	}
	r.Version++
	s.recs[r.ID] = copyRecord(r)
	return r.Version, nil
}

func (s *memClassStore) Class(_ context.Context, id string) (ClassRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.recs[id]
	if !ok {
		return ClassRecord{}, ErrClassMissing
	}
	return copyRecord(r), nil
}

func (s *memClassStore) ClassByCode(_ context.Context, code string) (ClassRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.recs {
		if r.Code == code {
			return copyRecord(r), nil
		}
	}
	return ClassRecord{}, ErrClassMissing
}

// copyRecord keeps a copy, as a real store would.
func copyRecord(r ClassRecord) ClassRecord {
	b, _ := json.Marshal(r)
	var cp ClassRecord
	_ = json.Unmarshal(b, &cp)
	cp.Version = r.Version
	return cp
}

func (s *memClassStore) Classes(context.Context) ([]ClassRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ClassRecord
	for _, id := range s.ids {
		out = append(out, copyRecord(s.recs[id]))
	}
	return out, nil
}

func newTestBook(t *testing.T, m *Manager, opt ClassOptions) *ClassBook {
	t.Helper()
	b := NewClassBook(m, opt)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := b.Close(ctx); err != nil {
			t.Errorf("close class book: %v", err)
		}
	})
	return b
}

func TestJoinCodesReadWell(t *testing.T) {
	re := regexp.MustCompile(`^[34679ACDEFGHJKMNPQRTUVWXY]{3}-[34679ACDEFGHJKMNPQRTUVWXY]{3}$`)
	seen := map[string]bool{}
	for range 2000 {
		c := newJoinCode()
		if !re.MatchString(c) {
			t.Fatalf("code %q has a look-alike character or the wrong shape", c)
		}
		seen[c] = true
		for _, typed := range []string{c, " " + c[:3] + " " + c[4:] + " ", c[:3] + c[4:]} {
			if got := NormalizeCode(typed); got != c {
				t.Fatalf("NormalizeCode(%q) = %q, want %q", typed, got, c)
			}
		}
	}
	if len(seen) < 1990 {
		t.Errorf("2000 codes gave only %d distinct ones", len(seen))
	}
	for _, bad := range []string{"", "K7Q-4X", "K7Q-4XPP", "K0Q-4XP", "KIQ-4XP", "K7Q-4X€"} {
		if got := NormalizeCode(bad); got != "" {
			t.Errorf("NormalizeCode(%q) = %q, want it refused", bad, got)
		}
	}
	if got := NormalizeCode("k7q-4xp"); got != "K7Q-4XP" {
		t.Errorf("lower case: got %q", got)
	}
}

func TestJoinNamesCloseAndLimits(t *testing.T) {
	m := newTestManager(t, Options{})
	b := newTestBook(t, m, ClassOptions{Limits: ClassLimits{MaxClasses: 3, MaxPerAddr: 2, MaxStudents: 3, MaxRuns: 5}})
	c, teacher, err := b.Create("1.2.3.4", NewClass{Name: "  Year 11   maths "}, Owner{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != "Year 11 maths" || teacher == "" || c.AuthorizeTeacher(OwnerOf(teacher)) != nil {
		t.Fatalf("class %q, teacher %q", c.Name(), teacher)
	}
	if ErrorCode(c.AuthorizeTeacher(OwnerOf("nope"))) != EForbidden || ErrorCode(c.AuthorizeTeacher(Owner{})) != EUnauthorized {
		t.Error("a wrong or missing teacher key must be refused")
	}
	if got, err := b.ByCode(c.Code()); err != nil || got != c {
		t.Fatalf("ByCode: %v", err)
	}
	name, key, existing, err := c.Join(" Ana ", Owner{})
	if err != nil || name != "Ana" || key == "" || existing {
		t.Fatalf("join: %q %v %v", name, existing, err)
	}
	if n, _, existing, err := c.Join("Someone else", OwnerOf(key)); err != nil || n != "Ana" || !existing {
		t.Errorf("a key that joined again must get its student back: %q %v %v", n, existing, err)
	}
	_, _, _, err = c.Join("ana", Owner{})
	var taken *NameTaken
	if !errors.As(err, &taken) || ErrorCode(err) != EConflict || taken.Suggestion != "ana 2" {
		t.Fatalf("a taken name must be a conflict with a suggestion: %v", err)
	}
	for _, bad := range []string{"", "   ", string(make([]rune, MaxNameLen+1)), "a\x00b"} {
		if _, _, _, err := c.Join(bad, Owner{}); ErrorCode(err) != EInvalid {
			t.Errorf("name %q: %v, want invalid", bad, err)
		}
	}
	c.SetOpen(false)
	if _, _, _, err := c.Join("Ben", Owner{}); ErrorCode(err) != EForbidden {
		t.Errorf("joining a closed class: %v, want forbidden", err)
	}
	if _, _, err := c.StartRun(OwnerOf(key), small(), nil); ErrorCode(err) != EForbidden {
		t.Errorf("a run in a closed class: %v, want forbidden", err)
	}
	c.SetOpen(true)
	for _, n := range []string{"Ben", "Cy"} {
		if _, _, _, err := c.Join(n, Owner{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, _, err := c.Join("Dee", Owner{}); ErrorCode(err) != EForbidden {
		t.Errorf("a full class: %v", err)
	}
	if _, _, err := b.Create("1.2.3.4", NewClass{Name: "b"}, Owner{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Create("1.2.3.4", NewClass{Name: "c"}, Owner{}); ErrorCode(err) != EConflict {
		t.Errorf("third class of one address: %v", err)
	}
	if _, _, err := b.Create("5.6.7.8", NewClass{Name: "d"}, Owner{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Create("9.9.9.9", NewClass{Name: "e"}, Owner{}); ErrorCode(err) != EUnavailable {
		t.Errorf("beyond the total: %v", err)
	}
}

func TestLessonLocksFields(t *testing.T) {
	m := newTestManager(t, Options{})
	b := newTestBook(t, m, ClassOptions{})
	preset := small()
	if _, _, err := b.Create("a", NewClass{Name: "x", Locked: []string{"bottleneck"}}, Owner{}); ErrorCode(err) != EInvalid {
		t.Errorf("locked fields without a preset: %v", err)
	}
	if _, _, err := b.Create("a", NewClass{Name: "x", Preset: &preset, Locked: []string{"colour"}}, Owner{}); ErrorCode(err) != EInvalid {
		t.Errorf("an unknown locked field: %v", err)
	}
	bad := preset
	bad.Bottleneck = 0
	var e *Error
	if _, _, err := b.Create("a", NewClass{Name: "x", Preset: &bad}, Owner{}); !errors.As(err, &e) || e.Field != "preset.bottleneck" {
		t.Errorf("an invalid preset must name its field: %v", err)
	}
	c, _, err := b.Create("a", NewClass{Name: "x", Preset: &preset, Locked: []string{"bottleneck", "dataset"}, Hidden: []string{"seed"}}, Owner{})
	if err != nil {
		t.Fatal(err)
	}
	l := c.Lesson()
	got, fe := l.Apply(Config{Bottleneck: 8, Epochs: 1}, map[string]bool{"bottleneck": true, "epochs": true})
	if len(fe) != 1 || fe[0].Field != "bottleneck" {
		t.Fatalf("a change to a locked field must be refused naming it: %v", fe)
	}
	got, fe = l.Apply(Config{Bottleneck: 2, Epochs: 1, Activation: "tanh"}, map[string]bool{"bottleneck": true, "epochs": true, "activation": true})
	if len(fe) != 0 || got.Bottleneck != 2 || got.Epochs != 1 || got.Activation != "tanh" || got.TrainSize != preset.TrainSize || got.Seed != preset.Seed {
		t.Fatalf("the preset must fill what is not given: %+v %v", got, fe)
	}
	// What a student sent as 0 stays sent: refused, not the default.
	zero := Config{Bottleneck: 2}
	zero.MarkGiven("epochs")
	got, _ = l.Apply(zero, map[string]bool{"bottleneck": true, "epochs": true})
	if _, fe := Validate(got, testRegistry, DefaultLimits()); fe.Map()["epochs"] == "" {
		t.Errorf("epochs sent as 0 through a lesson: %v, want refused", fe.Map())
	}
	_, key, _, _ := c.Join("Ana", Owner{})
	if _, _, err := c.StartRun(OwnerOf("stranger"), small(), nil); ErrorCode(err) != EForbidden {
		t.Errorf("a run by a non-student: %v", err)
	}
	s, tok, err := c.StartRun(OwnerOf(key), Config{Epochs: 1}, map[string]bool{"epochs": true})
	if err != nil || tok == "" {
		t.Fatal(err)
	}
	waitDone(t, s)
	if s.Config().Bottleneck != 2 || s.Config().Epochs != 1 {
		t.Errorf("run config %+v", s.Config())
	}
	if n, ok := c.RunStudent(s.ID()); !ok || n != "Ana" || b.OfRun(s.ID()) != c {
		t.Errorf("the run must belong to Ana of the class")
	}
	_, other, _, _ := c.Join("Ben", Owner{})
	if ErrorCode(c.AuthorizeRun(s.ID(), OwnerOf(other))) != EForbidden || c.AuthorizeRun(s.ID(), OwnerOf(key)) != nil {
		t.Error("only the run's student (and the teacher) may control it")
	}
}

// TestClassStreamSendsSmallTiles follows two runs over the class stream: a
// snapshot, then tiles with pictures, every message under the bound, the
// final state of each run, and at most a few updates per second per run.
func TestClassStreamSendsSmallTiles(t *testing.T) {
	m := newTestManager(t, Options{})
	cs := NewComparisonStore(m)
	t.Cleanup(func() { _ = cs.Close(context.Background()) })
	store := &memClassStore{}
	b := newTestBook(t, m, ClassOptions{Store: store, PCA: cs.Baseline})
	c, _, err := b.Create("a", NewClass{Name: "x"}, Owner{})
	if err != nil {
		t.Fatal(err)
	}
	_, k1, _, _ := c.Join("Ana", Owner{})
	_, k2, _, _ := c.Join("Ben", Owner{})
	sub := c.Subscribe()
	defer sub.Close()
	cfg := small()
	cfg.Epochs = 2
	s1, _, err := c.StartRun(OwnerOf(k1), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Bottleneck = 4
	s2, _, err := c.StartRun(OwnerOf(k2), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	final := map[string]RunTile{}
	updates := map[string]int{}
	pictures := map[string]bool{}
	pca := map[string]bool{}
	clock := startGranted()
	poll := time.NewTicker(100 * time.Millisecond)
	defer poll.Stop()
	first := true
	for len(final) < 2 || len(pca) < 2 {
		select {
		case msg, ok := <-sub.C:
			if !ok {
				t.Fatal("stream ended early")
			}
			if len(msg) >= MaxClassMessage {
				t.Fatalf("message of %d bytes", len(msg))
			}
			var head struct {
				Type string  `json:"type"`
				Run  RunTile `json:"run"`
			}
			if err := json.Unmarshal(msg, &head); err != nil {
				t.Fatal(err)
			}
			if first {
				if head.Type != TypeSnapshot {
					t.Fatalf("first message %q", head.Type)
				}
				first = false
				continue
			}
			if head.Type != TypeClassRun {
				continue
			}
			r := head.Run
			updates[r.ID]++
			if r.Latent != nil && r.Recon != nil && len(r.Spark) > 0 {
				pictures[r.ID] = true
			}
			if r.PCA != nil {
				pca[r.ID] = true
			}
			if r.State.Terminal() {
				final[r.ID] = r
			}
		case <-poll.C:
			if clock.over(60 * time.Second) {
				granted, wall := clock.elapsed()
				t.Fatalf("runs did not end in %s of granted time (%s of wall time): %d final, %d with PCA", granted.Round(time.Second), wall.Round(time.Second), len(final), len(pca))
			}
		}
	}
	secs := time.Since(start).Seconds()
	granted, wall := clock.elapsed()
	t.Logf("both runs ended with their PCA figures in %s of wall time, %s of granted time", wall.Round(time.Millisecond), granted.Round(time.Millisecond))
	for _, s := range []*Session{s1, s2} {
		f := final[s.ID()]
		if f.State != Completed || f.TestLoss == nil || f.Epoch != 2 || f.Student == "" {
			t.Errorf("final tile %+v", f)
		}
		if !pictures[s.ID()] {
			t.Errorf("run %s never sent its pictures", s.ID())
		}
		if max := 2*secs + 6; float64(updates[s.ID()]) > max {
			t.Errorf("run %s: %d updates in %.1f s", s.ID(), updates[s.ID()], secs)
		}
	}
	// The store keeps the runs with their results; a new book restores them.
	// The final tiles and PCA figures reach the store just after the stream
	// (a PCA figure by a goroutine of its own): wait until they have.
	waitFor(t, func() bool {
		recs, _ := store.Classes(context.Background())
		kept := 0
		for _, r := range recs {
			for _, x := range r.Runs {
				if x.State == Completed && x.TestLoss != nil && x.PCA != nil {
					kept++
				}
			}
		}
		return kept == 2
	})
	b2 := newTestBook(t, m, ClassOptions{Store: store})
	if err := b2.Restore(context.Background()); err != nil {
		t.Fatal(err)
	}
	c2, err := b2.Get(c.ID())
	if err != nil {
		t.Fatal(err)
	}
	runs := c2.Runs()
	if len(runs) != 2 || runs[0].Student != "Ana" || runs[0].State != Completed || runs[0].TestLoss == nil || runs[0].PCA == nil {
		t.Fatalf("restored runs %+v", runs)
	}
	if n, ok := c2.StudentOf(OwnerOf(k2)); !ok || n != "Ben" || c2.AuthorizeTeacher(OwnerOf("x")) == nil {
		t.Error("restored students and teacher")
	}
	if b2.OfRun(s1.ID()) != c2 {
		t.Error("restored run index")
	}
}
