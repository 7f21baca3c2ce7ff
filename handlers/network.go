package handlers

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// Network says how the server is reached: the public URL people type (when
// a reverse proxy stands in front and rewrites Host) and the proxies whose
// forwarding headers (X-Forwarded-For/Host/Proto, Forwarded) are believed.
// The zero value trusts no proxy and has no public URL: the server is
// reached directly.
type Network struct {
	Public         *url.URL       // scheme and host only; nil for none
	TrustedProxies []netip.Prefix // connections from these may forward
}

// ParseNetwork reads the -public-url and -trusted-proxy settings:
// "https://lab.example.org" and a comma-separated list of CIDR prefixes
// or addresses ("10.0.0.0/8, 127.0.0.1"). Empty strings mean none.
func ParseNetwork(publicURL, trustedProxies string) (Network, error) {
	var n Network
	if publicURL != "" {
		u, err := url.Parse(publicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return n, fmt.Errorf("-public-url %q: give the address people open, like https://lab.example.org", publicURL)
		}
		n.Public = &url.URL{Scheme: u.Scheme, Host: strings.ToLower(u.Host)}
	}
	for _, f := range strings.Split(trustedProxies, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return n, fmt.Errorf("-trusted-proxy %q: give CIDR prefixes or addresses, like 10.0.0.0/8 or 127.0.0.1", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		n.TrustedProxies = append(n.TrustedProxies, p.Masked())
	}
	return n, nil
}

// publicOrigin is the configured public origin ("https://lab.example.org"),
// or "".
func (n Network) publicOrigin() string {
	if n.Public == nil {
		return ""
	}
	return n.Public.Scheme + "://" + n.Public.Host
}

// Trusts reports whether a connection from addr may forward.
func (n Network) Trusts(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, p := range n.TrustedProxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// peer is the address of the connection's other end.
func peer(r *http.Request) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		a, aerr := netip.ParseAddr(r.RemoteAddr)
		return a.Unmap(), aerr == nil
	}
	return ap.Addr().Unmap(), true
}

// fromTrustedProxy reports whether r came through a trusted proxy.
func (n Network) fromTrustedProxy(r *http.Request) bool {
	a, ok := peer(r)
	return ok && len(n.TrustedProxies) > 0 && n.Trusts(a)
}

// client finds the address of the person behind r: the connection's peer,
// or, when that is a trusted proxy, the last address in the forwarding
// chain that is not one (a client can prepend anything to the chain, so
// it is read from the right).
func (n Network) client(r *http.Request) string {
	a, ok := peer(r)
	if !ok {
		return r.RemoteAddr
	}
	if !n.fromTrustedProxy(r) {
		return a.String()
	}
	chain := forwardedFor(r)
	for i := len(chain) - 1; i >= 0; i-- {
		c, err := netip.ParseAddr(chain[i])
		if err != nil {
			break // garbage: stop at the last proxy we trust
		}
		a = c.Unmap()
		if !n.Trusts(a) {
			break
		}
	}
	return a.String()
}

// forwardedFor lists the addresses of the Forwarded header's for=
// parameters, or else of X-Forwarded-For, oldest first.
func forwardedFor(r *http.Request) []string {
	var out []string
	for _, el := range forwardedElements(r) {
		if v, ok := el["for"]; ok {
			v = strings.Trim(v, `"`)
			if h, _, err := net.SplitHostPort(v); err == nil {
				v = h
			}
			out = append(out, strings.Trim(v, "[]"))
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, h := range r.Header.Values("X-Forwarded-For") {
		for _, f := range strings.Split(h, ",") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, f)
			}
		}
	}
	return out
}

// forwardedElements parses the Forwarded header (RFC 7239) into its
// elements' parameters, lower-cased names.
func forwardedElements(r *http.Request) []map[string]string {
	var out []map[string]string
	for _, h := range r.Header.Values("Forwarded") {
		for _, el := range strings.Split(h, ",") {
			m := map[string]string{}
			for _, pair := range strings.Split(el, ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if ok {
					m[strings.ToLower(k)] = strings.Trim(v, `"`)
				}
			}
			out = append(out, m)
		}
	}
	return out
}

// forwardedOrigin is the origin the trusted proxy says the browser used
// ("https://lab.example.org"), or "" when r did not come through one or
// it did not say.
func (n Network) forwardedOrigin(r *http.Request) string {
	if !n.fromTrustedProxy(r) {
		return ""
	}
	host, proto := "", ""
	if els := forwardedElements(r); len(els) > 0 {
		host, proto = els[0]["host"], els[0]["proto"]
	}
	if host == "" {
		host, _, _ = strings.Cut(r.Header.Get("X-Forwarded-Host"), ",")
	}
	if proto == "" {
		proto, _, _ = strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	}
	host, proto = strings.ToLower(strings.TrimSpace(host)), strings.ToLower(strings.TrimSpace(proto))
	if host == "" {
		return ""
	}
	if proto != "https" {
		proto = "http"
	}
	return proto + "://" + host
}

// sameOrigin reports whether a browser's Origin header names this site:
// the Host the request was sent to, the configured public URL, or the
// host a trusted proxy forwarded. Requests without an Origin (scripts,
// other programs) pass.
func (n Network) sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	o := strings.ToLower(u.Scheme + "://" + u.Host)
	return o == n.publicOrigin() || o == n.forwardedOrigin(r)
}

// secure reports whether the browser reached the server over TLS: directly,
// through a trusted proxy that says so, or as the public URL promises.
func (n Network) secure(r *http.Request) bool {
	return r.TLS != nil || (n.Public != nil && n.Public.Scheme == "https") ||
		strings.HasPrefix(n.forwardedOrigin(r), "https:")
}

type netKey struct{}

// withNetwork makes n available to the handlers of every request, so that
// clientAddr, sameOrigin and the cookies see through trusted proxies.
func withNetwork(n Network) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), netKey{}, n)))
		})
	}
}

// network is the Network of the server that took r.
func network(r *http.Request) Network {
	n, _ := r.Context().Value(netKey{}).(Network)
	return n
}

// clientAddr is the address of the person who sent r: the connection's
// peer, or the client a trusted proxy forwarded for.
func clientAddr(r *http.Request) string { return network(r).client(r) }

// clientKey groups client addresses for per-address limits: an IPv4
// address, or the /64 of an IPv6 one (one household or phone gets a whole
// /64, so its addresses are one client).
func clientKey(r *http.Request) string { return AddrKey(clientAddr(r)) }

// AddrKey is the limit key of an address: itself for IPv4, its /64 for
// IPv6, the text unchanged when it is not an address.
func AddrKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// sameOrigin is Network.sameOrigin with the server's network.
func sameOrigin(r *http.Request) bool { return network(r).sameOrigin(r) }
