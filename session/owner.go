package session

import (
	"crypto/sha256"
	"crypto/subtle"
)

// Owner identifies who may control a session: the SHA-256 of a secret key
// that only the owner holds (a browser's owner cookie, or the owner token a
// script got when it created the session). Only the hash is kept, so what
// the server stores cannot be replayed as a key. The zero Owner is nobody.
type Owner [sha256.Size]byte

// OwnerOf returns the Owner of a secret key; the empty key owns nothing.
func OwnerOf(key string) Owner {
	if key == "" {
		return Owner{}
	}
	return sha256.Sum256([]byte(key))
}

// IsZero reports whether o is nobody.
func (o Owner) IsZero() bool { return o == Owner{} }

// Is reports, in constant time, whether o and p are the same owner; nobody
// is never anybody.
func (o Owner) Is(p Owner) bool {
	return !o.IsZero() && subtle.ConstantTimeCompare(o[:], p[:]) == 1
}

// SetOwner records the browser that started the session (the hash of its
// owner key); it may then control the session without the owner token.
func (s *Session) SetOwner(o Owner) {
	s.mu.Lock()
	s.owner = o
	s.mu.Unlock()
	s.persistHead()
}

// OwnedBy reports whether o started the session: its browser's key, or the
// session's owner token.
func (s *Session) OwnedBy(o Owner) bool {
	s.mu.Lock()
	owner := s.owner
	s.mu.Unlock()
	// Both comparisons always run, so the time does not say which matched.
	a, b := owner.Is(o), s.token.Is(o)
	return a || b
}
