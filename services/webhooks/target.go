package webhooks

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// Resolver looks host names up. *net.Resolver (net.DefaultResolver) is one; tests give their
// own to play DNS rebinding.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// lookupTimeout bounds a DNS lookup at registration.
const lookupTimeout = 5 * time.Second

// errAddressNotAllowed is what a connection to a forbidden address fails with.
var errAddressNotAllowed = errors.New("address not allowed")

// forbidden are the ranges that production webhooks may not reach, beyond what netip's
// predicates (loopback, private, link-local, unspecified, multicast) cover.
var forbidden = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (carrier-grade NAT)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the broadcast address
	netip.MustParsePrefix("::/96"),           // IPv4-compatible (deprecated), and ::
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
}

// embedsIPv4 are IPv6 prefixes whose addresses carry an IPv4 address that a gateway may
// forward to: NAT64 (the IPv4 is the last 32 bits) and 6to4 (bits 16 to 47).
var (
	nat64  = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4 = netip.MustParsePrefix("2002::/16")
)

// AddressAllowed reports whether production webhooks may connect to a: not loopback
// (127.0.0.0/8, ::1), private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local
// (169.254/16, fe80::/10), unspecified, multicast, shared (100.64/10) or reserved, including
// such IPv4 addresses written as IPv4-mapped, NAT64 or 6to4 IPv6 addresses.
func AddressAllowed(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	a = a.Unmap().WithZone("")
	if a.Is6() {
		b := a.As16()
		switch {
		case nat64.Contains(a):
			return AddressAllowed(netip.AddrFrom4([4]byte(b[12:16])))
		case sixTo4.Contains(a):
			return AddressAllowed(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsUnspecified() ||
		a.IsMulticast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range forbidden {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// target checks and connects to webhook URLs under the mode's rules.
type target struct {
	development bool
	resolver    Resolver
}

// check validates a URL given by a user and returns it as it will be stored. field is the
// input path for errors. It returns ErrInvalidURL (not a URL; not http(s), or http in
// production; no host; credentials or a fragment in it; over MaxURLLen; a host that does not
// resolve in production) or ErrURLNotAllowed (production only: a forbidden address).
func (g target) check(ctx context.Context, field, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	invalid := func(format string, args ...any) error {
		return ErrInvalidURL.With(field, nil).WithMessage(format, args...)
	}
	if raw == "" || len(raw) > MaxURLLen || !utf8.ValidString(raw) {
		return "", invalid("enter an https URL of at most %d characters", MaxURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Opaque != "" {
		return "", invalid("not a valid URL: enter an absolute URL such as https://example.com/webhooks")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !g.development {
			return "", invalid("the URL must use https")
		}
	default:
		return "", invalid("the URL must use https")
	}
	if u.User != nil {
		return "", invalid("the URL may not contain a user name or password; authenticate requests with the signature")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return "", invalid("the URL may not contain a fragment (#…)")
	}
	host := u.Hostname()
	if host == "" {
		return "", invalid("the URL has no host")
	}
	if port := u.Port(); port != "" {
		if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
			return "", invalid("the URL's port is not valid")
		}
	}
	if !g.development {
		addrs, err := g.resolve(ctx, host, lookupTimeout)
		if err != nil {
			return "", invalid("the URL's host %q does not resolve", host)
		}
		for _, a := range addrs {
			if !AddressAllowed(a) {
				return "", ErrURLNotAllowed.With(field, fmt.Errorf("%s resolves to %s", host, a))
			}
		}
	}
	return u.String(), nil
}

// resolve returns host's addresses: the address itself for an IP literal, else a lookup.
func (g target) resolve(ctx context.Context, host string, timeout time.Duration) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ips, err := g.resolver.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, err
	}
	out := make([]netip.Addr, 0, len(ips))
	for _, ip := range ips {
		if a, ok := netip.AddrFromSlice(ip.IP); ok {
			out = append(out, a.Unmap())
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s has no addresses", host)
	}
	return out, nil
}

// dialContext resolves the host itself, refuses (in production) if any of its addresses is
// forbidden, and dials the checked addresses one after the other. The transport never hands a
// host name to the system dialer, so what is checked is what is dialled.
func (g target) dialContext(dialer *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		addrs, err := g.resolve(ctx, host, AttemptTimeout)
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", host, err)
		}
		if !g.development {
			for _, a := range addrs {
				if !AddressAllowed(a) {
					return nil, fmt.Errorf("%w: %s resolves to %s", errAddressNotAllowed, host, a)
				}
			}
		}
		var errsSeen []error
		for _, a := range addrs {
			conn, err := dialer.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
			if err == nil {
				return conn, nil
			}
			errsSeen = append(errsSeen, err)
			if ctx.Err() != nil {
				break
			}
		}
		return nil, errors.Join(errsSeen...)
	}
}

// control is the dialer's last word, run on the address about to be connected: in production
// it refuses a forbidden one, whatever path led there.
func (g target) control(_, address string, _ syscall.RawConn) error {
	if g.development {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %q is not an IP address", errAddressNotAllowed, address)
	}
	if !AddressAllowed(ap.Addr()) {
		return fmt.Errorf("%w: %s", errAddressNotAllowed, ap.Addr())
	}
	return nil
}

// client returns the HTTP client of the workers: no proxy (a proxy would connect to whatever
// it is asked to), no redirects, the guarded dialer, AttemptTimeout.
func (g target) client(tlsConfig *tls.Config) *http.Client {
	dialer := &net.Dialer{Timeout: AttemptTimeout, KeepAlive: 30 * time.Second, Control: g.control}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if tlsConfig != nil {
		tc = tlsConfig.Clone()
		if tc.MinVersion < tls.VersionTLS12 {
			tc.MinVersion = tls.VersionTLS12
		}
	}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           g.dialContext(dialer),
		TLSClientConfig:       tc,
		TLSHandshakeTimeout:   AttemptTimeout,
		ResponseHeaderTimeout: AttemptTimeout,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   AttemptTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// isAddressNotAllowed reports whether an attempt failed on the address guard.
func isAddressNotAllowed(err error) bool { return errors.Is(err, errAddressNotAllowed) }
