package handlers

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/aelab/aelab/session"
)

// One owner key per browser: a random secret in a single HttpOnly cookie.
// The sessions (and uploads) a browser starts keep the hash of its key, so
// a browser holds one cookie however many trainings it runs. Scripts use
// the per-session owner token of POST /api/sessions as a Bearer token.
const (
	ownerCookieName = "aelab_key"
	ownerCookieAge  = 90 * 24 * time.Hour // refreshed whenever the browser starts something
	ownerKeyBytes   = 32
	// legacyOwnerPrefix named the one-cookie-per-session scheme this
	// replaces; such cookies are expired when seen.
	legacyOwnerPrefix = "aelab_owner_"
)

// browserKey is r's owner key cookie, "" when it has none (or a malformed
// one, which is then replaced).
func browserKey(r *http.Request) string {
	ck, err := r.Cookie(ownerCookieName)
	if err != nil {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil || len(b) != ownerKeyBytes {
		return ""
	}
	return ck.Value
}

// browserOwner is the Owner of r's browser, zero when it has no key.
func browserOwner(r *http.Request) session.Owner { return session.OwnerOf(browserKey(r)) }

// ensureOwner returns the Owner of r's browser, giving the browser a key
// first when it has none; the cookie is refreshed either way. Call it
// before writing the response.
func ensureOwner(w http.ResponseWriter, r *http.Request) session.Owner {
	key := browserKey(r)
	if key == "" {
		b := make([]byte, ownerKeyBytes)
		_, _ = rand.Read(b)
		key = base64.RawURLEncoding.EncodeToString(b)
	}
	http.SetCookie(w, &http.Cookie{Name: ownerCookieName, Value: key, Path: "/", MaxAge: int(ownerCookieAge.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: network(r).secure(r)})
	expireLegacyCookies(w, r)
	return session.OwnerOf(key)
}

// maxLegacyExpire bounds the legacy cookies one response expires (a
// browser keeps a few hundred cookies per site; the rest go with the next
// responses), so that a request stuffed with cookies cannot draw an answer
// larger than itself.
const maxLegacyExpire = 64

// expireLegacyCookies asks the browser to drop the per-session owner
// cookies of earlier versions, each name once.
func expireLegacyCookies(w http.ResponseWriter, r *http.Request) {
	done := map[string]bool{}
	for _, ck := range r.Cookies() {
		if len(done) == maxLegacyExpire {
			return
		}
		if strings.HasPrefix(ck.Name, legacyOwnerPrefix) && !done[ck.Name] {
			done[ck.Name] = true
			http.SetCookie(w, &http.Cookie{Name: ck.Name, Value: "", Path: "/", MaxAge: -1})
		}
	}
}

// requestOwner is who r speaks for: the Bearer token when there is one,
// else the browser's owner key.
func requestOwner(r *http.Request) session.Owner {
	if t := bearer(r); t != "" {
		return session.OwnerOf(t)
	}
	return browserOwner(r)
}

// authorize checks that r comes from s's owner: its creator's Bearer
// token, or the browser that started it.
func authorize(s *session.Session, r *http.Request) error {
	o := requestOwner(r)
	switch {
	case o.IsZero():
		return session.Errorf(session.EUnauthorized, "this action needs the session's owner: the browser that started it, or its owner token (Authorization: Bearer <owner_token>)")
	case !s.OwnedBy(o):
		return session.Errorf(session.EForbidden, "you do not own session %s: only the browser that started it (or a script with its owner token) may control it", s.ID())
	}
	return nil
}
