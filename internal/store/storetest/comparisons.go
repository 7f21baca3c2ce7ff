// Conformance: comparisons.

package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/aelab/aelab/session"
)

func testComparisons(t *testing.T, s session.Store) {
	ctx := context.Background()
	c1 := session.ComparisonRecord{ID: "c1", Kind: session.Sweep, CreatedAt: t0.Add(time.Minute),
		Members: []session.ComparisonMember{{SessionID: "a", Label: "M = 2"}, {SessionID: "b", Label: "M = 8"}}}
	c0 := session.ComparisonRecord{ID: "c0", Kind: session.Group, CreatedAt: t0, Members: []session.ComparisonMember{{SessionID: "x"}}}
	write(t, s, &session.Batch{Comparisons: []session.ComparisonRecord{c1, c0}})
	got, err := s.Comparisons(ctx)
	if err != nil || len(got) != 2 {
		t.Fatalf("Comparisons = %v, %v", got, err)
	}
	for i, want := range []session.ComparisonRecord{c0, c1} {
		if !got[i].CreatedAt.Equal(want.CreatedAt) {
			t.Errorf("comparison %s created %v, want %v", want.ID, got[i].CreatedAt, want.CreatedAt)
		}
		got[i].CreatedAt = want.CreatedAt
		if !reflect.DeepEqual(got[i], want) {
			t.Errorf("comparison %d = %+v, want %+v", i, got[i], want)
		}
	}
}
