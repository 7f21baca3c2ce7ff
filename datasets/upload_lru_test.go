package datasets

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// clockRegistry is a registry whose upload clock the test moves.
func clockRegistry() (*Registry, *time.Time) {
	r := NewRegistry("")
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	r.up.now = func() time.Time { return now }
	return r, &now
}

// rowsCSV is a CSV of n rows of 8 numbers.
func rowsCSV(n int) string {
	var b strings.Builder
	b.WriteString("a,b,c,d,e,f,g,h\n")
	for i := range n {
		fmt.Fprintf(&b, "%d,1,2,3,4,5,6,7\n", i)
	}
	return b.String()
}

// Uploads beyond the byte budget evict the least recently used (not the
// oldest: a Load counts as a use); when everything is in use the server
// says it is full.
func TestUploadBudgetEvictsLeastRecentlyUsed(t *testing.T) {
	r, now := clockRegistry()
	data := rowsCSV(1000) // 8000 values: about 40 KB
	one := datasetBytesOf(t, data)
	r.SetUploadBudget(4*one + one/2) // room for four
	for i, owner := range []string{"ann", "bob", "cat", "dan"} {
		if _, err := r.AddOwnedCSV(owner, fmt.Sprintf("set%d", i), strings.NewReader(data), CSVOptions{}); err != nil {
			t.Fatal(err)
		}
		*now = now.Add(time.Minute)
	}
	// The fifth, while all four are recent: full, and says so.
	_, err := r.AddOwnedCSV("eve", "set4", strings.NewReader(data), CSVOptions{})
	if !errors.Is(err, ErrFull) || !strings.Contains(err.Error(), "try again in a few minutes") {
		t.Fatalf("fifth upload while all are in use: %v", err)
	}
	// Later, set0 is used again; set1 is now the least recently used.
	*now = now.Add(UploadPinned + time.Minute)
	if _, err := r.Load("set0", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := r.AddOwnedCSV("eve", "set4", strings.NewReader(data), CSVOptions{}); err != nil {
		t.Fatalf("fifth upload once the others are idle: %v", err)
	}
	for name, want := range map[string]bool{"set0": true, "set1": false, "set2": true, "set3": true, "set4": true} {
		if _, err := r.Info(name); (err == nil) != want {
			t.Errorf("%s kept = %v, want %v", name, err == nil, want)
		}
	}
	if used, budget := r.UploadUsage(); used > budget {
		t.Errorf("uploads take %d bytes, over the budget of %d", used, budget)
	}
	// One upload larger than half the budget is refused outright.
	r.SetUploadBudget(one)
	if _, err := r.AddOwnedCSV("eve", "big", strings.NewReader(data), CSVOptions{}); !errors.Is(err, ErrFull) ||
		!strings.Contains(err.Error(), "fewer rows or columns") {
		t.Fatalf("too big for the budget: %v", err)
	}
}

// One uploader holds at most MaxUploadsPerOwner uploads: the next replaces
// their own least recently used, whatever its age, and nobody else's.
func TestUploadsPerOwner(t *testing.T) {
	r, now := clockRegistry()
	data := rowsCSV(10)
	if _, err := r.AddOwnedCSV("bob", "bobs", strings.NewReader(data), CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	for i := range MaxUploadsPerOwner + 3 {
		*now = now.Add(time.Second)
		if _, err := r.AddOwnedCSV("ann", fmt.Sprintf("ann%d", i), strings.NewReader(data), CSVOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	var anns []string
	for _, in := range r.ListFor("ann") {
		if in.Source == SourceUpload {
			anns = append(anns, in.Name)
		}
	}
	if len(anns) != MaxUploadsPerOwner || anns[0] != "ann3" {
		t.Fatalf("ann's uploads: %v, want the newest %d", anns, MaxUploadsPerOwner)
	}
	if _, err := r.Info("bobs"); err != nil {
		t.Fatalf("bob's upload was evicted by ann's: %v", err)
	}
}

// Uploads are listed for their uploader only; anyone may use one by name.
func TestUploadsAreListedForTheirOwner(t *testing.T) {
	r, _ := clockRegistry()
	if _, err := r.AddOwnedCSV("ann", "mine", strings.NewReader(rowsCSV(10)), CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	has := func(list []Info) bool {
		for _, in := range list {
			if in.Name == "mine" {
				return true
			}
		}
		return false
	}
	if !has(r.ListFor("ann")) || has(r.ListFor("bob")) || has(r.ListFor("")) {
		t.Fatal("ListFor shows uploads to the wrong people")
	}
	if len(r.ListFor("bob")) == 0 {
		t.Fatal("ListFor lost the built-in sets")
	}
	if _, err := r.Load("mine", 0); err != nil {
		t.Fatalf("another person cannot use it by name: %v", err)
	}
}

func datasetBytesOf(t *testing.T, data string) int64 {
	t.Helper()
	d, err := ParseCSV(strings.NewReader(data), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return datasetBytes(d)
}
