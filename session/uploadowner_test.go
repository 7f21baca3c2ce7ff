package session_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/aelab/aelab/datasets"
	"github.com/aelab/aelab/session"
)

// An uploaded dataset keeps its uploader through a restart: after it, the
// uploader still lists it among theirs and nobody else does.
func TestRestartKeepsUploadOwner(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("a,b,label\n")
	for i := range 40 {
		fmt.Fprintf(&csv, "%d,%d,%d\n", i, 2*i, i%2)
	}
	ann := session.OwnerOf("ann's browser key")
	annKey := hex.EncodeToString(ann[:])
	bob := session.OwnerOf("bob's browser key")
	bobKey := hex.EncodeToString(bob[:])

	st := openStore(t, dir)
	reg := datasets.NewRegistry("")
	m := session.NewManager(session.Options{Datasets: reg, Store: st})
	if _, err := reg.AddOwnedCSV(annKey, "anns", strings.NewReader(csv.String()), datasets.CSVOptions{LabelColumn: "label"}); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.AddOwnedCSV("", "nobodys", strings.NewReader(csv.String()), datasets.CSVOptions{LabelColumn: "label"}); err != nil {
		t.Fatal(err)
	}
	shutdown(t, m)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st = openStore(t, dir)
	defer st.Close()
	reg = datasets.NewRegistry("")
	m = session.NewManager(session.Options{Datasets: reg, Store: st})
	defer shutdown(t, m)
	if err := m.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	uploads := func(owner string) []string {
		var out []string
		for _, in := range reg.ListFor(owner) {
			if in.Source == datasets.SourceUpload {
				out = append(out, in.Name)
			}
		}
		return out
	}
	if got := uploads(annKey); len(got) != 1 || got[0] != "anns" {
		t.Fatalf("after a restart, the uploader's own uploads are %v; want [anns]", got)
	}
	if got := uploads(bobKey); len(got) != 0 {
		t.Fatalf("after a restart, someone else sees the uploads %v; want none", got)
	}
	if _, err := reg.Load("nobodys", 1); err != nil {
		t.Fatalf("an upload of nobody's did not come back: %v", err)
	}
}
