package datasets

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestAddCSV(t *testing.T) {
	r := NewRegistry(t.TempDir())
	info, err := r.AddCSV("iris", strings.NewReader(irisLike(50)), CSVOptions{LabelColumn: "species", Title: "Iris"})
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "iris" || info.Title != "Iris" || info.TrainSize != 40 || info.TestSize != 10 ||
		!info.Available || info.Source != SourceUpload || info.Features != 3 {
		t.Errorf("info %+v", info)
	}
	d, err := r.Load("iris", 123)
	if err != nil || d.Name != "iris" {
		t.Fatalf("Load: %v %v", d, err)
	}
	if again, _ := r.Load("iris", 0); again != d {
		t.Error("Load of an upload returned a new copy")
	}
	if got, err := r.Info("iris"); err != nil || got.TrainSize != 40 {
		t.Errorf("Info: %+v %v", got, err)
	}
	if _, err := r.AddCSV("second", strings.NewReader("a,b\n1,2\n3,4\n"), CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	list := r.List()
	if n := len(list); list[n-2].Name != "iris" || list[n-1].Name != "second" || list[n-1].Title != "second" {
		t.Errorf("uploads must come last, in order: %v, %v", list[n-2].Name, list[n-1].Name)
	}
	// Another registry does not see them.
	if _, err := NewRegistry("").Info("iris"); !errors.Is(err, ErrNotFound) {
		t.Errorf("uploads leaked into another registry: %v", err)
	}
}

func TestAddCSVErrors(t *testing.T) {
	r := NewRegistry(t.TempDir())
	good := "a,b\n1,2\n3,4\n"
	if _, err := r.AddCSV("taken", strings.NewReader(good), CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, data string
		is         error
		want       string
	}{
		{"mnist", good, ErrExists, `the name "mnist" is taken`},
		{"swiss_roll", good, ErrExists, "taken"},
		{"taken", good, ErrExists, "taken"},
		{"Bad Name", good, ErrInvalid, "lower-case letters"},
		{"", good, ErrInvalid, "dataset name"},
		{"../etc", good, ErrInvalid, "dataset name"},
		{strings.Repeat("x", 41), good, ErrInvalid, "dataset name"},
		{"broken", "a,b\n1,x\n", ErrInvalid, `line 2, column "b": "x" is not a number`},
	} {
		_, err := r.AddCSV(c.name, strings.NewReader(c.data), CSVOptions{})
		if !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("AddCSV(%q): %v, want %v mentioning %q", c.name, err, c.is, c.want)
		}
	}
	if _, err := r.Info("broken"); !errors.Is(err, ErrNotFound) {
		t.Error("a failed upload was registered")
	}
}

func TestAddCSVConcurrentAndFull(t *testing.T) {
	r := NewRegistry(t.TempDir())
	good := "a,b\n1,2\n3,4\n"
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { _, errs[i] = r.AddCSV("same", strings.NewReader(good), CSVOptions{}) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if !errors.Is(err, ErrExists) {
			t.Errorf("unexpected error %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent uploads under one name succeeded, want 1", ok)
	}
	for i := 1; i < MaxUploads; i++ {
		if _, err := r.AddCSV(fmt.Sprintf("u%d", i), strings.NewReader(good), CSVOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// All 64 were used just now: none is evicted for a newcomer, which is
	// told the server is full.
	if _, err := r.AddCSV("one-more", strings.NewReader(good), CSVOptions{}); !errors.Is(err, ErrFull) ||
		!strings.Contains(err.Error(), "full (64 datasets") {
		t.Errorf("beyond MaxUploads: %v", err)
	}
}
