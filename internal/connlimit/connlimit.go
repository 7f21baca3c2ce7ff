// Package connlimit caps the connections a listener holds open per remote
// address (IPv6 grouped by /64) and in all, so that one client cannot
// exhaust the server's file descriptors with idle connections.
package connlimit

import (
	"net"
	"net/netip"
	"sync"
)

// Listener wraps a net.Listener. A connection beyond a limit is accepted
// from the kernel, answered in HTTP (429 over the per-address cap, 503
// over the total; answer.go) and closed; Accept never returns it.
type Listener struct {
	net.Listener
	perAddr, total int
	// Exempt, when set, names peers not capped per address (trusted
	// reverse proxies, which carry many clients); they count in the total.
	Exempt func(netip.Addr) bool

	mu    sync.Mutex
	open  map[netip.Prefix]int
	count int
	// Refused counts the connections closed for being over a limit.
	refused   int
	answering int // refused connections being answered now (answer.go)
}

// New caps ln at perAddr connections per address and total in all; a
// limit ≤ 0 means none.
func New(ln net.Listener, perAddr, total int) *Listener {
	return &Listener{Listener: ln, perAddr: perAddr, total: total, open: make(map[netip.Prefix]int)}
}

// Key groups an address for the limit: the address itself for IPv4, its
// /64 for IPv6.
func Key(a netip.Addr) netip.Prefix {
	a = a.Unmap()
	if a.Is4() {
		return netip.PrefixFrom(a, 32)
	}
	p, _ := a.Prefix(64)
	return p
}

// Accept waits for the next connection within the limits.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		key, ok := remoteKey(c)
		if ok && l.Exempt != nil && l.Exempt(key.Addr()) {
			ok = false
		}
		l.mu.Lock()
		perAddr := ok && l.perAddr > 0 && l.open[key] >= l.perAddr
		if perAddr || (l.total > 0 && l.count >= l.total) {
			l.refuseLocked(c, perAddr)
			l.mu.Unlock()
			continue
		}
		l.count++
		if ok {
			l.open[key]++
		}
		l.mu.Unlock()
		return &conn{Conn: c, l: l, key: key, keyed: ok}, nil
	}
}

// Open returns the connections held now, in all and from addr's group.
func (l *Listener) Open(addr netip.Addr) (total, fromAddr int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.count, l.open[Key(addr)]
}

// Refused returns how many connections were closed for being over a limit.
func (l *Listener) Refused() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.refused
}

func remoteKey(c net.Conn) (netip.Prefix, bool) {
	ap, err := netip.ParseAddrPort(c.RemoteAddr().String())
	if err != nil {
		return netip.Prefix{}, false
	}
	return Key(ap.Addr()), true
}

// conn gives its place back once, when closed.
type conn struct {
	net.Conn
	l     *Listener
	key   netip.Prefix
	keyed bool
	once  sync.Once
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		c.l.count--
		if c.keyed {
			if c.l.open[c.key]--; c.l.open[c.key] <= 0 {
				delete(c.l.open, c.key)
			}
		}
		c.l.mu.Unlock()
	})
	return err
}
