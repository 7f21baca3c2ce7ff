package handlers

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/aelab/aelab/session"
)

// browser is an HTTP client with its own cookie jar that does not follow
// redirects.
func browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Twenty runs from one browser leave one cookie, which controls every one
// of them; another browser controls none.
func TestOneOwnerCookiePerBrowser(t *testing.T) {
	ts := newTestServer(t)
	me, other := browser(t), browser(t)
	form := url.Values{"dataset": {"mnist"}, "encoder": {"8"}, "bottleneck": {"2"}, "train_size": {"64"},
		"batch_size": {"32"}, "epochs": {"1"}, "seed": {"1"}}
	var ids []string
	for range 20 {
		res, err := me.PostForm(ts.URL+"/sessions", form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("form: %d", res.StatusCode)
		}
		ids = append(ids, strings.TrimPrefix(res.Header.Get("Location"), "/sessions/"))
	}
	u, _ := url.Parse(ts.URL)
	cookies := me.Jar.Cookies(u)
	if len(cookies) != 1 || cookies[0].Name != ownerCookieName {
		t.Fatalf("after 20 runs the browser holds %d cookies (%v), want 1", len(cookies), cookies)
	}
	page := func(c *http.Client, id string) string {
		res, err := c.Get(ts.URL + "/sessions/" + id)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var b strings.Builder
		_, _ = strings.NewReader("").WriteTo(&b)
		buf := make([]byte, 1<<20)
		for {
			n, err := res.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return b.String()
	}
	for _, id := range []string{ids[0], ids[19]} {
		if !strings.Contains(page(me, id), `data-testid="btn-stop"`) {
			t.Errorf("the owner's page of %s has no stop button", id)
		}
		if strings.Contains(page(other, id), `data-testid="btn-stop"`) {
			t.Errorf("another browser sees the stop button of %s", id)
		}
		s, _ := ts.m.Get(id)
		if !s.OwnedBy(session.OwnerOf(cookies[0].Value)) {
			t.Errorf("the cookie does not own %s", id)
		}
	}
	// The API takes the cookie as the owner's proof; another browser's
	// request is forbidden, one with no proof unauthorized.
	id := ids[19]
	for _, tc := range []struct {
		c    *http.Client
		want int
	}{{other, http.StatusUnauthorized}, {me, http.StatusNoContent}} {
		req, _ := http.NewRequest("POST", ts.URL+"/api/sessions/"+id+"/stop", nil)
		res, err := tc.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tc.want && !(tc.want == 204 && res.StatusCode == http.StatusConflict) { // it may have completed
			t.Errorf("stop: %d, want %d", res.StatusCode, tc.want)
		}
	}
	res, _ := ts.do(t, "POST", "/api/sessions/"+id+"/stop", "", map[string]string{"Cookie": ownerCookieName + "=" + strings.Repeat("A", 43)})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("stop with another key: %d, want 403", res.StatusCode)
	}
}

// The per-session cookies of earlier versions are expired when seen.
func TestLegacyOwnerCookiesExpire(t *testing.T) {
	ts := newTestServer(t)
	c := ts.create(t, smallJSON)
	res, _ := ts.do(t, "GET", "/sessions/"+c.ID, "", map[string]string{"Cookie": "aelab_owner_abc=x; aelab_owner_def=y"})
	expired := 0
	for _, ck := range res.Cookies() {
		if strings.HasPrefix(ck.Name, "aelab_owner_") && ck.MaxAge < 0 {
			expired++
		}
	}
	if expired != 2 {
		t.Errorf("%d legacy cookies expired, want 2: %v", expired, res.Cookies())
	}
}

// A request stuffed with legacy cookies gets a bounded answer: each name
// expired once, and at most maxLegacyExpire of them (2,999 distinct names
// in a 59 KB Cookie header drew 2,999 Set-Cookie lines, 149 KB; Go parses
// at most 3,000 cookies of a request).
func TestLegacyCookieStuffingIsBounded(t *testing.T) {
	ts := newTestServer(t)
	c := ts.create(t, smallJSON)
	var names []string
	for i := range 1000 {
		names = append(names, fmt.Sprintf("aelab_owner_%d=1", i))
	}
	names = append(names, "aelab_owner_0=2", "aelab_owner_0=3")
	res, _ := ts.do(t, "GET", "/sessions/"+c.ID, "", map[string]string{"Cookie": strings.Join(names, "; ")})
	seen := map[string]bool{}
	for _, ck := range res.Cookies() {
		if strings.HasPrefix(ck.Name, "aelab_owner_") {
			if seen[ck.Name] {
				t.Errorf("%s expired twice", ck.Name)
			}
			seen[ck.Name] = true
		}
	}
	if len(seen) != maxLegacyExpire {
		t.Errorf("%d legacy cookies expired, want %d", len(seen), maxLegacyExpire)
	}
}

// Behind TLS (here: an https public URL) the owner cookie is Secure.
func TestOwnerCookieSecureBehindHTTPS(t *testing.T) {
	ts := newTestServerWith(t, func(d *Deps) { d.Net, _ = ParseNetwork("https://lab.example.org", "") })
	res, _ := ts.postForm(t, url.Values{"bottleneck": {"2"}, "encoder": {"8"}, "train_size": {"64"}, "epochs": {"1"}})
	cks := res.Cookies()
	if len(cks) != 1 || !cks[0].Secure {
		t.Fatalf("cookies %v, want one Secure owner cookie", cks)
	}
}
