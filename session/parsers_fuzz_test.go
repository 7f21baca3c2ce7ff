package session

import (
	"strings"
	"testing"
	"time"
)

// FuzzParseCursor: whatever a client puts in ?cursor=, ParseCursor either
// refuses it or returns a cursor that encodes to a string it parses the
// same again.
func FuzzParseCursor(f *testing.F) {
	loss := 0.25
	f.Add((&SessionCursor{Sort: SortDate, CreatedAt: time.Unix(1700000000, 5).UTC(), ID: "abc"}).Encode())
	f.Add((&SessionCursor{Sort: SortTestLoss, CreatedAt: time.Unix(0, 0).UTC(), TestLoss: &loss, ID: "x"}).Encode())
	f.Add("")
	f.Add("eyJzIjoiZGF0ZSJ9")
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := ParseCursor(s)
		if !ok {
			if c != nil {
				t.Fatal("a refused cursor came back non-nil")
			}
			return
		}
		if c.ID == "" || (c.Sort != SortDate && c.Sort != SortTestLoss) || (c.TestLoss != nil && FiniteLoss(c.TestLoss) == nil) {
			t.Fatalf("accepted a cursor it should refuse: %+v", c)
		}
		again, ok := ParseCursor(c.Encode())
		if !ok || again.ID != c.ID || again.Sort != c.Sort || !again.CreatedAt.Equal(c.CreatedAt) ||
			(again.TestLoss == nil) != (c.TestLoss == nil) || (c.TestLoss != nil && *again.TestLoss != *c.TestLoss) {
			t.Fatalf("cursor %+v does not survive Encode: %+v, %v", c, again, ok)
		}
	})
}

// FuzzNormalizeCode: what a student types becomes "" or a canonical code
// (three characters of the alphabet, a dash, three more) that normalises to
// itself.
func FuzzNormalizeCode(f *testing.F) {
	for _, s := range []string{"K7Q-4XP", "k7q 4xp", "K7Q4XP", "K7Q–4XP", "", "-", "K7Q-4XPP", "ÄÖÜ-123", "k\x00q4xp"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := NormalizeCode(s)
		if c == "" {
			return
		}
		if len(c) != codeLen+1 || c[codeLen/2] != '-' {
			t.Fatalf("NormalizeCode(%q) = %q: not ABC-DEF", s, c)
		}
		for i, r := range c {
			if i != codeLen/2 && !strings.ContainsRune(codeAlphabet, r) {
				t.Fatalf("NormalizeCode(%q) = %q holds %q, not in the alphabet", s, c, r)
			}
		}
		if NormalizeCode(c) != c {
			t.Fatalf("NormalizeCode(%q) = %q, which normalises to %q", s, c, NormalizeCode(c))
		}
	})
}
