package session

import (
	"crypto/rand"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Join codes are read aloud and copied from a wall: six characters in two
// groups, "K7Q-4XP", from an alphabet without the characters people confuse
// (0/O, 1/I/L, 2/Z, 5/S and 8/B are all gone), so 25^6 ≈ 2.4·10^8 codes.
const codeAlphabet = "34679ACDEFGHJKMNPQRTUVWXY"

// codeLen is the number of characters of a join code, without its dash.
const codeLen = 6

// newJoinCode returns a random code such as "K7Q-4XP".
func newJoinCode() string {
	b := make([]byte, codeLen)
	_, _ = rand.Read(b)
	var sb strings.Builder
	for i, x := range b {
		if i == codeLen/2 {
			sb.WriteByte('-')
		}
		// 256 is not a multiple of the alphabet: the first characters are a
		// little likelier, which costs a fraction of a bit of the 27.8.
		sb.WriteByte(codeAlphabet[int(x)%len(codeAlphabet)])
	}
	return sb.String()
}

// NormalizeCode turns what a student typed into the canonical form of a
// join code ("k7q 4xp", "K7Q4XP", "K7Q-4XP" all give "K7Q-4XP"), or "" if it
// cannot be one.
func NormalizeCode(s string) string {
	var out []byte
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ' || r == '\t' || r == '–':
			continue
		}
		if r >= utf8.RuneSelf || !strings.ContainsRune(codeAlphabet, r) {
			return ""
		}
		out = append(out, byte(r))
		if len(out) > codeLen {
			return ""
		}
	}
	if len(out) != codeLen {
		return ""
	}
	return string(out[:codeLen/2]) + "-" + string(out[codeLen/2:])
}

// MaxNameLen bounds a student's display name and a class's name, in
// characters.
const (
	MaxNameLen      = 40
	MaxClassNameLen = 80
)

// cleanName trims a display name, folds runs of spaces into one and checks
// its length and characters; what says what is named ("name", "class name").
func cleanName(s, field string, maxLen int) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "", &Error{Code: EInvalid, Field: field, Message: field + " is empty: type a name, like Ana"}
	}
	if !utf8.ValidString(s) {
		return "", &Error{Code: EInvalid, Field: field, Message: field + " must be text (UTF-8)"}
	}
	if n := utf8.RuneCountInString(s); n > maxLen {
		return "", &Error{Code: EInvalid, Field: field, Message: field + " is " + strconv.Itoa(n) + " characters long: use at most " + strconv.Itoa(maxLen)}
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", &Error{Code: EInvalid, Field: field, Message: field + " may hold letters, digits, spaces and punctuation, not control characters"}
		}
	}
	return s, nil
}

// nameKey is the form of a name that uniqueness is checked on: "Ana" and
// "ana " are the same student.
func nameKey(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// suggestName returns the first of "Ana 2", "Ana 3", … that taken does not
// hold, shortened to fit MaxNameLen.
func suggestName(name string, taken func(key string) bool) string {
	for i := 2; ; i++ {
		suffix := " " + strconv.Itoa(i)
		base := []rune(name)
		if len(base)+len([]rune(suffix)) > MaxNameLen {
			base = base[:MaxNameLen-len([]rune(suffix))]
		}
		cand := strings.TrimSpace(string(base)) + suffix
		if !taken(nameKey(cand)) {
			return cand
		}
	}
}
