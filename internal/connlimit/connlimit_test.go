package connlimit

import (
	"io"
	"net"
	"net/http"
	"net/netip"
	"testing"
	"time"
)

// A client opening many idle connections gets perAddr of them; the others
// are closed at once, and a place frees when one closes.
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
	// The refused ones are closed by the server: a read ends at once.
	alive := 0
	for _, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		_, err := c.Read(make([]byte, 1))
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			alive++ // held open, waiting for a request
		}
	}
	if alive != 5 {
		t.Fatalf("%d connections held open, want 5", alive)
	}
	if total, mine := l.Open(netip.MustParseAddr("127.0.0.1")); total != 5 || mine != 5 {
		t.Fatalf("Open = %d, %d; want 5, 5", total, mine)
	}
	if l.Refused() != 15 {
		t.Fatalf("Refused = %d, want 15", l.Refused())
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
