package datasets

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestListAndInfo(t *testing.T) {
	dir := t.TempDir()
	writeImageSet(t, dir, 40, 10, true)
	r := NewRegistry(dir)

	// Listing must not decode: hide the shared MNIST copy while listing.
	mnistCache.mu.Lock()
	saved := mnistCache.m
	mnistCache.m = nil
	mnistCache.mu.Unlock()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	list := r.List()
	runtime.ReadMemStats(&after)
	_, mnistDecoded := mnistCache.peek("mnist")
	mnistCache.mu.Lock()
	mnistCache.m = saved
	mnistCache.mu.Unlock()
	if _, fashionDecoded := r.loaded.peek(FashionName); mnistDecoded || fashionDecoded {
		t.Fatal("List decoded a dataset")
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("List allocated %d bytes", grew)
	}

	var names []string
	for _, info := range list {
		names = append(names, info.Name)
		got, err := r.Info(info.Name)
		if err != nil || !slices.Equal(got.ClassNames, info.ClassNames) || got.TrainSize != info.TrainSize {
			t.Errorf("Info(%q) = %+v, %v; List says %+v", info.Name, got, err, info)
		}
		if !info.Available || info.Reason != "" || info.Title == "" || info.Description == "" ||
			info.Attribution == "" || info.Features != info.Shape.Size() || len(info.ClassNames) == 0 {
			t.Errorf("incomplete info %+v", info)
		}
	}
	want := []string{"mnist", "fashion_mnist", "swiss_roll", "s_curve", "blobs", "spheres", "spheres_10d", "sine_waves"}
	if !slices.Equal(names, want) {
		t.Errorf("List order %v, want %v", names, want)
	}
	if list[0].TrainSize != 60000 || list[0].TestSize != 10000 || list[1].TrainSize != 40 || list[1].TestSize != 10 {
		t.Errorf("sizes: %+v %+v", list[0], list[1])
	}
	if _, err := r.Info("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Info(nope): %v", err)
	}
	if _, err := r.Load("nope", 0); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("Load(nope): %v", err)
	}
}

func TestLoadMatchesInfo(t *testing.T) {
	dir := t.TempDir()
	writeImageSet(t, dir, 4, 3, false)
	r := NewRegistry(dir)
	for _, info := range r.List() {
		d, err := r.Load(info.Name, 8)
		if err != nil {
			t.Fatalf("%s: %v", info.Name, err)
		}
		got := d.Info()
		if got.Name != info.Name || got.Features != info.Features || got.Shape != info.Shape ||
			!slices.Equal(got.ClassNames, info.ClassNames) || got.ValueRange != info.ValueRange ||
			got.TrainSize != info.TrainSize || got.TestSize != info.TestSize || got.Source != info.Source {
			t.Errorf("%s: loaded %+v, listed %+v", info.Name, got, info)
		}
	}
}

func TestLoadConcurrent(t *testing.T) {
	dir := t.TempDir()
	writeImageSet(t, dir, 20, 5, true)
	r := NewRegistry(dir)
	const workers = 16
	for _, name := range []string{"mnist", FashionName, "swiss_roll", "sine_waves"} {
		got := make([]*Dataset, workers)
		errs := make([]error, workers)
		var wg sync.WaitGroup
		for i := range workers {
			wg.Go(func() { got[i], errs[i] = r.Load(name, 5) })
		}
		wg.Wait()
		for i := range workers {
			if errs[i] != nil || got[i] != got[0] {
				t.Fatalf("%s: worker %d got %p (%v), worker 0 got %p", name, i, got[i], errs[i], got[0])
			}
		}
	}
	// MNIST is shared across registries; generated sets are per seed.
	other := NewRegistry(dir)
	m1, _ := r.Load("mnist", 0)
	m2, _ := other.Load("mnist", 1)
	if m1 != m2 {
		t.Error("two registries decoded MNIST twice")
	}
	a, _ := r.Load("blobs", 1)
	b, _ := r.Load("blobs", 2)
	c, _ := r.Load("blobs", 1)
	if a == b || a != c || slices.Equal(allValues(a.Train), allValues(b.Train)) {
		t.Error("generated sets must be cached per seed")
	}
}

func TestGeneratedCacheBounded(t *testing.T) {
	r := NewRegistry(t.TempDir())
	first, _ := r.Load("s_curve", 0)
	for seed := uint64(1); seed <= maxSeedsPerSet; seed++ {
		r.Load("s_curve", seed)
	}
	if _, ok := r.loaded.peek("s_curve@0"); ok {
		t.Error("the oldest seed was kept beyond the bound")
	}
	if _, ok := r.loaded.peek(fmt.Sprintf("s_curve@%d", maxSeedsPerSet)); !ok {
		t.Error("the newest seed was dropped")
	}
	again, _ := r.Load("s_curve", 0)
	if again == first || !slices.Equal(allValues(again.Train), allValues(first.Train)) {
		t.Error("a regenerated seed must give equal data in a new copy")
	}
}

// TestGeneratedCacheForgetsLeastRecentlyUsed checks that a seed loaded
// again is kept over one loaded once long ago.
func TestGeneratedCacheForgetsLeastRecentlyUsed(t *testing.T) {
	r := NewRegistry(t.TempDir())
	for seed := uint64(0); seed < maxSeedsPerSet; seed++ {
		r.Load("blobs", seed)
	}
	r.Load("blobs", 0) // used again: now the most recent
	r.Load("blobs", maxSeedsPerSet)
	if _, ok := r.loaded.peek("blobs@0"); !ok {
		t.Error("a recently used seed was forgotten")
	}
	if _, ok := r.loaded.peek("blobs@1"); ok {
		t.Error("the least recently used seed was kept beyond the bound")
	}
}

func TestCacheFailuresAreRetried(t *testing.T) {
	var c cache
	calls := 0
	fail := func() (*Dataset, error) { calls++; return nil, errors.New("disk on fire") }
	if _, err := c.get("k", fail); err == nil || err.Error() != "disk on fire" {
		t.Fatalf("got %v", err)
	}
	_, err := c.get("k", func() (*Dataset, error) { calls++; panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "panic: boom") {
		t.Fatalf("panic: got %v", err)
	}
	want := &Dataset{Name: "ok"}
	for range 3 {
		if d, err := c.get("k", func() (*Dataset, error) { calls++; return want, nil }); d != want || err != nil {
			t.Fatalf("got %v %v", d, err)
		}
	}
	if calls != 3 {
		t.Errorf("load ran %d times, want 3 (two failures, then one success)", calls)
	}
	if _, err := c.get("nil", func() (*Dataset, error) { return nil, nil }); err == nil {
		t.Error("a nil dataset without error must be an error")
	}
}

func TestCacheWaitersShareOneLoad(t *testing.T) {
	for _, fail := range []bool{false, true} {
		var c cache
		release := make(chan struct{})
		started := make(chan struct{}, 100)
		want := &Dataset{Name: "shared"}
		load := func() (*Dataset, error) {
			started <- struct{}{}
			<-release
			if fail {
				return nil, errors.New("failed")
			}
			return want, nil
		}
		var wg sync.WaitGroup
		got := make([]*Dataset, 8)
		errs := make([]error, 8)
		for i := range got {
			wg.Go(func() { got[i], errs[i] = c.get("k", load) })
		}
		<-started
		time.Sleep(20 * time.Millisecond) // let the others reach the wait
		close(release)
		wg.Wait()
		for i := range got {
			if fail != (errs[i] != nil) || !fail && got[i] != want {
				t.Errorf("fail=%v: waiter %d got %v, %v", fail, i, got[i], errs[i])
			}
		}
		if n := len(started); !fail && n != 0 {
			t.Errorf("%d extra loads ran while one was in flight", n)
		}
	}
}

func TestZeroRegistry(t *testing.T) {
	var r Registry
	if n := len(r.List()); n != 2+len(toySpecs) {
		t.Errorf("zero Registry lists %d sets", n)
	}
	if _, err := r.Load("blobs", 3); err != nil {
		t.Error(err)
	}
	if _, err := r.AddCSV("up", strings.NewReader("a\n1\n2\n"), CSVOptions{}); err != nil {
		t.Error(err)
	}
	if d, err := r.Load("up", 0); err != nil || d.Train.N != 1 {
		t.Errorf("%v %v", d, err)
	}
}
