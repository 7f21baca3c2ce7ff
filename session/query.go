package session

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"math"
	"slices"
	"time"
)

// SessionSort orders a run list.
type SessionSort string

// Orders of a run list.
const (
	// SortDate lists the newest first.
	SortDate SessionSort = "date"
	// SortTestLoss lists the lowest test loss first; runs without one
	// (never measured, or not finite) come last, newest first.
	SortTestLoss SessionSort = "test_loss"
)

// Bounds of a run list's page and of a query's ID filter.
const (
	DefaultRunsLimit = 50
	MaxRunsLimit     = 200
	MaxQueryIDs      = 1000
)

// SessionQuery selects and orders kept sessions for a run list. Zero
// fields select everything; Store.QuerySessions and Match agree on what
// each selects.
type SessionQuery struct {
	Dataset    string // the configuration's dataset
	Bottleneck int    // the configuration's bottleneck width
	State      State
	Kind       string   // "ae" (also matches configurations without a kind) or "vae"
	Owner      Owner    // sessions whose owner token or starting browser is Owner
	IDs        []string // only these sessions (a class's runs); nil: any, empty: none
	Sort       SessionSort
	After      *SessionCursor // the last session of the previous page
	Limit      int            // at most this many (the store treats ≤ 0 as no limit)
}

// SessionCursor is where a page of a run list ended: the sort keys of its
// last session.
type SessionCursor struct {
	Sort      SessionSort `json:"s"`
	CreatedAt time.Time   `json:"c"`
	TestLoss  *float64    `json:"l,omitempty"`
	ID        string      `json:"i"`
}

// CursorOf returns the cursor just after r in order sort.
func CursorOf(sort SessionSort, r SessionRecord) *SessionCursor {
	c := &SessionCursor{Sort: sort, CreatedAt: r.CreatedAt, ID: r.ID}
	if sort == SortTestLoss {
		c.TestLoss = FiniteLoss(r.TestLoss)
	}
	return c
}

// Encode returns the cursor as an opaque URL-safe string.
func (c *SessionCursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseCursor reads a cursor made by Encode; ok is false for anything else.
func ParseCursor(s string) (c *SessionCursor, ok bool) {
	if len(s) > 512 {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	c = new(SessionCursor)
	if json.Unmarshal(b, c) != nil || c.ID == "" || (c.Sort != SortDate && c.Sort != SortTestLoss) ||
		(c.TestLoss != nil && FiniteLoss(c.TestLoss) == nil) {
		return nil, false
	}
	return c, true
}

// FiniteLoss is l, or nil where it is missing or not finite (what the
// stores keep as NULL).
func FiniteLoss(l *float64) *float64 {
	if l == nil || math.IsNaN(*l) || math.IsInf(*l, 0) {
		return nil
	}
	return l
}

// Match reports whether r is selected by q's filters (not its cursor).
func (q *SessionQuery) Match(r SessionRecord) bool {
	kind := r.Config.Kind
	if kind == "" {
		kind = "ae"
	}
	switch {
	case q.Dataset != "" && r.Config.Dataset != q.Dataset,
		q.Bottleneck != 0 && r.Config.Bottleneck != q.Bottleneck,
		q.State != "" && r.State != q.State,
		q.Kind != "" && kind != q.Kind,
		q.IDs != nil && !slices.Contains(q.IDs, r.ID):
		return false
	case !q.Owner.IsZero():
		return bytes.Equal(r.OwnerHash, q.Owner[:]) || bytes.Equal(r.BrowserHash, q.Owner[:])
	}
	return true
}

// Compare orders a and b as a run list in order sort: negative when a comes
// first.
func Compare(sort SessionSort, a, b SessionRecord) int {
	return compareKeys(sort, CursorOf(sort, a), CursorOf(sort, b))
}

func compareKeys(sort SessionSort, a, b *SessionCursor) int {
	if sort == SortTestLoss {
		la, lb := a.TestLoss, b.TestLoss
		switch {
		case la != nil && lb == nil:
			return -1
		case la == nil && lb != nil:
			return 1
		case la != nil && *la != *lb:
			return cmp.Compare(*la, *lb)
		}
	}
	if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 { // newest first
		return c
	}
	return cmp.Compare(b.ID, a.ID)
}

// Select applies q to recs in memory, as a Store's QuerySessions does: the
// matching records after q.After, in q.Sort's order, at most q.Limit of
// them. It is the reference the stores' conformance suite checks against.
func Select(recs []SessionRecord, q SessionQuery) []SessionRecord {
	sort := q.Sort
	if sort == "" {
		sort = SortDate
	}
	var out []SessionRecord
	for _, r := range recs {
		if q.Match(r) && (q.After == nil || compareKeys(sort, q.After, CursorOf(sort, r)) < 0) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b SessionRecord) int { return Compare(sort, a, b) })
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out
}
