// Conformance: uploaded datasets.

package storetest

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/aelab/aelab/datasets"
	"github.com/aelab/aelab/session"
)

func testDatasets(t *testing.T, s session.Store) {
	ctx := context.Background()
	d := session.DatasetRecord{Name: "iris", Filename: "iris.csv", Data: []byte("a,b,label\n1,2,x\n"), CreatedAt: t0,
		Options: datasets.CSVOptions{Title: "Irises", LabelColumn: "label", Normalize: datasets.NormalizeZScore, DropBad: true, TestFraction: 0.25}}
	if err := s.PutDataset(ctx, d); err != nil {
		t.Fatal(err)
	}
	d2 := d
	d2.Name, d2.CreatedAt, d2.OwnerHash = "wine", t0.Add(time.Hour), []byte{0xab, 0xcd, 0xef}
	if err := s.PutDataset(ctx, d2); err != nil {
		t.Fatal(err)
	}
	d.Data = []byte("a,b,label\n3,4,y\n") // replaces
	if err := s.PutDataset(ctx, d); err != nil {
		t.Fatal(err)
	}
	got, err := s.Datasets(ctx)
	if err != nil || len(got) != 2 {
		t.Fatalf("Datasets = %v, %v", got, err)
	}
	got[0].CreatedAt = d.CreatedAt
	if !reflect.DeepEqual(got[0], d) || got[1].Name != "wine" {
		t.Fatalf("Datasets = %+v; want %+v then wine", got, d)
	}
	if !slices.Equal(got[1].OwnerHash, d2.OwnerHash) {
		t.Fatalf("the uploader of wine came back as %x, want %x", got[1].OwnerHash, d2.OwnerHash)
	}
	if err := s.DeleteDataset(ctx, "iris"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Datasets(ctx); len(got) != 1 || got[0].Name != "wine" {
		t.Fatalf("after deleting iris: %v", got)
	}
}
