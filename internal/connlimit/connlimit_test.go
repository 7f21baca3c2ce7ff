package connlimit

import (
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A client opening many idle connections gets perAddr of them; the others
// are answered 429 with Retry-After and closed (not reset), and a place
// frees when one closes.
func TestCapPerAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := New(ln, 5, 100)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }),
		IdleTimeout: time.Minute}
	go srv.Serve(l)
	defer srv.Close()

	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 20 {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	// The refused ones are answered and closed by the server (they sent
	// no request: the answer comes after headWait); the others are held.
	var alive, answered atomic.Int32
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = c.SetReadDeadline(time.Now().Add(headWait + time.Second))
			b, err := io.ReadAll(c)
			if ne, ok := err.(net.Error); ok && ne.Timeout() && len(b) == 0 {
				alive.Add(1) // held open, waiting for a request
				return
			}
			if err == nil && strings.HasPrefix(string(b), "HTTP/1.1 429 Too Many Requests\r\n") &&
				strings.Contains(string(b), "\r\nRetry-After: 10\r\n") && strings.Contains(string(b), "holds 5 open connections") {
				answered.Add(1)
				return
			}
			t.Errorf("a connection read %q, %v; want a 429 answer then EOF, or nothing", b, err)
		}()
	}
	wg.Wait()
	if alive.Load() != 5 || answered.Load() != 15 {
		t.Fatalf("%d connections held open and %d answered 429, want 5 and 15", alive.Load(), answered.Load())
	}
	if total, mine := l.Open(netip.MustParseAddr("127.0.0.1")); total != 5 || mine != 5 {
		t.Fatalf("Open = %d, %d; want 5, 5", total, mine)
	}
	if l.Refused() != 15 {
		t.Fatalf("Refused = %d, want 15", l.Refused())
	}

	// Requests over the cap: a page gets the message in plain text, the
	// API its JSON error, a WebSocket upgrade the 429 before any upgrade.
	for _, tc := range []struct {
		path, ctype, want string
		hdr               map[string]string
	}{
		{"/", "text/plain; charset=utf-8", "close some", nil},
		{"/api/sessions", "application/json; charset=utf-8", `"code": "rate_limited"`, nil},
		{"/api/sessions/x/ws", "application/json; charset=utf-8", `"code": "rate_limited"`,
			map[string]string{"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}},
	} {
		req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+tc.path, nil)
		for k, v := range tc.hdr {
			req.Header.Set(k, v)
		}
		start := time.Now()
		res, err := (&http.Transport{}).RoundTrip(req)
		if err != nil {
			t.Fatalf("GET %s over the cap: %v, want an answer", tc.path, err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 429 || res.Header.Get("Retry-After") != "10" || res.Header.Get("Content-Type") != tc.ctype ||
			!strings.Contains(string(b), tc.want) || !strings.Contains(string(b), "5 open connections") {
			t.Errorf("GET %s over the cap: %d %v %s", tc.path, res.StatusCode, res.Header, b)
		}
		if d := time.Since(start); d > headWait {
			t.Errorf("GET %s over the cap answered after %v: it should not wait once the request is there", tc.path, d)
		}
	}

	for _, c := range conns {
		c.Close()
	}
	conns = nil
	deadline := time.Now().Add(5 * time.Second)
	for {
		if total, _ := l.Open(netip.MustParseAddr("127.0.0.1")); total == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("places were not given back")
		}
		time.Sleep(10 * time.Millisecond)
	}
	res, err := http.Get("http://" + ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
}

// Over the total, a connection is answered 503 with Retry-After.
func TestCapInAll(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := New(ln, 100, 2)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }),
		IdleTimeout: time.Minute}
	go srv.Serve(l)
	defer srv.Close()
	for range 2 {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	time.Sleep(50 * time.Millisecond) // both accepted
	res, err := (&http.Transport{}).RoundTrip(must(http.NewRequest("GET", "http://"+ln.Addr().String()+"/api/healthz", nil)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 503 || res.Header.Get("Retry-After") != "10" || !strings.Contains(string(b), `"code": "unavailable"`) || !strings.Contains(string(b), "2 in all") {
		t.Fatalf("over the total: %d %v %s", res.StatusCode, res.Header, b)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestKeyGroupsIPv6By64(t *testing.T) {
	a, b := netip.MustParseAddr("2001:db8:1:2::1"), netip.MustParseAddr("2001:db8:1:2:ffff::9")
	if Key(a) != Key(b) {
		t.Fatal("same /64, different keys")
	}
	if Key(netip.MustParseAddr("2001:db8:1:3::1")) == Key(a) {
		t.Fatal("different /64, same key")
	}
	if Key(netip.MustParseAddr("::ffff:192.0.2.1")) != Key(netip.MustParseAddr("192.0.2.1")) {
		t.Fatal("v4-mapped differs from v4")
	}
}
