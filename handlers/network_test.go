package handlers

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestClientAddrTrustsOnlyConfiguredProxies(t *testing.T) {
	n, err := ParseNetwork("", "10.0.0.0/8, 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	req := func(remote string, hdr ...string) *http.Request {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Add(hdr[i], hdr[i+1])
		}
		return r
	}
	cases := []struct {
		r    *http.Request
		n    Network
		want string
	}{
		{req("203.0.113.5:4000", "X-Forwarded-For", "1.2.3.4"), n, "203.0.113.5"},                     // not a proxy: header ignored
		{req("10.1.2.3:4000", "X-Forwarded-For", "1.2.3.4"), n, "1.2.3.4"},                            // trusted proxy
		{req("10.1.2.3:4000", "X-Forwarded-For", "6.6.6.6, 1.2.3.4, 10.9.9.9"), n, "1.2.3.4"},         // spoofed head ignored
		{req("127.0.0.1:4000", "Forwarded", `for="[2001:db8::1]:443";proto=https`), n, "2001:db8::1"}, // RFC 7239
		{req("10.1.2.3:4000", "X-Forwarded-For", "1.2.3.4"), Network{}, "10.1.2.3"},                   // no proxy configured
		{req("[::ffff:10.1.2.3]:4000", "X-Forwarded-For", "1.2.3.4"), n, "1.2.3.4"},                   // v4-mapped peer
		{req("10.1.2.3:4000", "X-Forwarded-For", "garbage, 1.2.3.4"), n, "1.2.3.4"},
		{req("10.1.2.3:4000", "X-Forwarded-For", "1.2.3.4, garbage"), n, "10.1.2.3"},
	}
	for i, tc := range cases {
		if got := tc.n.client(tc.r); got != tc.want {
			t.Errorf("case %d: client = %q, want %q", i, got, tc.want)
		}
	}
	if k := AddrKey("2001:db8:1:2:3:4:5:6"); k != "2001:db8:1:2::/64" {
		t.Errorf("AddrKey v6 = %q", k)
	}
	if k := AddrKey("192.0.2.7"); k != "192.0.2.7" {
		t.Errorf("AddrKey v4 = %q", k)
	}
	for _, bad := range []string{"10.0.0.0/33", "nonsense"} {
		if _, err := ParseNetwork("", bad); err == nil {
			t.Errorf("ParseNetwork(%q) accepted", bad)
		}
	}
	for _, bad := range []string{"lab.example.org", "ftp://x", "https://"} {
		if _, err := ParseNetwork(bad, ""); err == nil {
			t.Errorf("ParseNetwork public %q accepted", bad)
		}
	}
}

// Behind a reverse proxy that rewrites Host (the app sees
// Host: 127.0.0.1:8080), a page of the public site may open streams.
func TestOriginBehindHostRewritingProxy(t *testing.T) {
	public, _ := ParseNetwork("https://lab.example.org", "")
	proxied, _ := ParseNetwork("", "127.0.0.0/8")
	req := func(origin string, hdr ...string) *http.Request {
		r := httptest.NewRequest("GET", "http://127.0.0.1:8080/api/sessions/x/ws", nil)
		r.RemoteAddr = "127.0.0.1:5555"
		r.Header.Set("Origin", origin)
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		return r
	}
	cases := []struct {
		n    Network
		r    *http.Request
		want bool
	}{
		{Network{}, req("https://lab.example.org"), false}, // today's failure, without configuration
		{public, req("https://lab.example.org"), true},
		{public, req("https://LAB.example.org"), true},
		{public, req("http://lab.example.org"), false}, // another scheme is another origin
		{public, req("https://evil.example"), false},
		{proxied, req("https://lab.example.org", "X-Forwarded-Host", "lab.example.org", "X-Forwarded-Proto", "https"), true},
		{proxied, req("https://lab.example.org", "Forwarded", "host=lab.example.org;proto=https"), true},
		{proxied, req("https://evil.example", "X-Forwarded-Host", "lab.example.org", "X-Forwarded-Proto", "https"), false},
		{public, req("https://evil.example", "X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "https"), false}, // untrusted headers
		{Network{}, req("http://127.0.0.1:8080"), true},
	}
	for i, tc := range cases {
		if got := tc.n.sameOrigin(tc.r); got != tc.want {
			t.Errorf("case %d (origin %s): sameOrigin = %v, want %v", i, tc.r.Header.Get("Origin"), got, tc.want)
		}
	}
}

// End to end: the stream opens for the public origin through the server.
func TestWebSocketAcceptsPublicOrigin(t *testing.T) {
	ts := newTestServerWith(t, func(d *Deps) { d.Net, _ = ParseNetwork("https://lab.example.org", "") })
	c := ts.create(t, smallJSON)
	conn := dialWS(t, ts, c.ID, http.Header{"Origin": {"https://lab.example.org"}})
	conn.Close()
	res, b := ts.do(t, "GET", "/api/sessions/"+c.ID+"/ws", "", map[string]string{"Origin": "https://evil.example",
		"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
	if res.StatusCode != 403 || !strings.Contains(string(b), "another site") {
		t.Fatalf("evil origin: %d %s", res.StatusCode, b)
	}
}
