package storetest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/aelab/aelab/session"
)

// queryRecords is a varied set of heads for the run-list query: datasets,
// bottlenecks, states, kinds, owners, test losses (missing, equal, not
// finite) and creation times (some equal, so the ID breaks the tie).
func queryRecords() []session.SessionRecord {
	datasets := []string{"mnist", "fashion", "digits"}
	states := []session.State{session.Completed, session.Running, session.Failed, session.Stopped, session.Interrupted}
	var out []session.SessionRecord
	for i := range 40 {
		r := Record(fmt.Sprintf("s%02d%c", i, 'a'+i%7), states[i%len(states)], t0.Add(time.Duration(i/3)*time.Minute))
		r.Config.Dataset = datasets[i%len(datasets)]
		r.Config.Bottleneck = []int{2, 8, 32, 50}[i%4]
		switch i % 3 {
		case 0:
			r.Config.Kind = ""
		case 1:
			r.Config.Kind = "ae"
		default:
			r.Config.Kind = "vae"
		}
		r.OwnerHash = []byte(fmt.Sprintf("token-%d", i%4))
		r.BrowserHash = nil
		if i%5 == 2 {
			r.BrowserHash = []byte(fmt.Sprintf("browser-%d", i%2))
		}
		switch {
		case i%6 == 0:
			r.TestLoss = nil
		case i%6 == 1:
			inf := math.Inf(1) // kept as no loss at all
			r.TestLoss = &inf
		default:
			l := 0.01 * float64(i%5) // ties between different runs
			r.TestLoss = &l
		}
		out = append(out, r)
	}
	return out
}

func ownerOf(b string) session.Owner {
	var o session.Owner
	copy(o[:], b)
	return o
}

func testQuerySessions(t *testing.T, s session.Store) {
	ctx := context.Background()
	recs := queryRecords()
	write(t, s, &session.Batch{Sessions: recs})
	// What the store gives back: non-finite losses come back as none.
	kept := slices.Clone(recs)
	for i := range kept {
		kept[i].TestLoss = session.FiniteLoss(kept[i].TestLoss)
	}
	// Owner filters compare whole 32-byte hashes: pad the test's.
	for i := range kept {
		kept[i].OwnerHash = padded(kept[i].OwnerHash)
		kept[i].BrowserHash = padded(kept[i].BrowserHash)
	}
	write(t, s, &session.Batch{Sessions: kept})

	queries := []session.SessionQuery{
		{},
		{Sort: session.SortTestLoss},
		{Dataset: "fashion"},
		{Dataset: "nowhere"},
		{Bottleneck: 8},
		{State: session.Interrupted},
		{Kind: "ae"},
		{Kind: "vae", Sort: session.SortTestLoss},
		{Owner: ownerOf("token-1")},
		{Owner: ownerOf("browser-0"), Sort: session.SortTestLoss},
		{IDs: []string{"s03d", "s17d", "s39e", "missing"}},
		{IDs: []string{}},
		{Dataset: "mnist", Bottleneck: 2, Kind: "ae"},
		{Limit: 7},
		{Sort: session.SortTestLoss, Limit: 5},
	}
	for _, q := range queries {
		got, err := s.QuerySessions(ctx, q)
		if err != nil {
			t.Fatalf("QuerySessions(%+v): %v", q, err)
		}
		want := session.Select(kept, q)
		if !sameIDs(got, want) {
			t.Errorf("QuerySessions(%+v) = %v, want %v", q, ids(got), ids(want))
		}
	}
	got, _ := s.QuerySessions(ctx, session.SessionQuery{Limit: 1})
	if len(got) == 1 {
		equalRecords(t, got[0], session.Select(kept, session.SessionQuery{Limit: 1})[0])
	}

	// Paging with cursors visits every selected session once, in order.
	for _, q := range []session.SessionQuery{{}, {Sort: session.SortTestLoss}, {Kind: "ae", Sort: session.SortTestLoss}, {State: session.Completed}} {
		want := session.Select(kept, q)
		sort := q.Sort
		if sort == "" {
			sort = session.SortDate
		}
		var all []session.SessionRecord
		q.Limit = 3
		for range 100 {
			page, err := s.QuerySessions(ctx, q)
			if err != nil {
				t.Fatalf("QuerySessions(%+v): %v", q, err)
			}
			all = append(all, page...)
			if len(page) < q.Limit {
				break
			}
			// The cursor goes through its text form, as a client's would.
			c, ok := session.ParseCursor(session.CursorOf(sort, page[len(page)-1]).Encode())
			if !ok {
				t.Fatalf("the cursor of %s does not parse back", page[len(page)-1].ID)
			}
			q.After = c
		}
		if !sameIDs(all, want) {
			t.Errorf("paging %+v by 3 = %v, want %v", q, ids(all), ids(want))
		}
	}
}

func padded(b []byte) []byte {
	if b == nil {
		return nil
	}
	var o session.Owner
	copy(o[:], b)
	return o[:]
}

func ids(rs []session.SessionRecord) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func sameIDs(a, b []session.SessionRecord) bool { return slices.Equal(ids(a), ids(b)) }
