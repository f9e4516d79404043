package dialx

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/dialx/dialx/rules"
)

// Resolver looks up the IP addresses of a host name. [*net.Resolver] is one;
// tests inject their own. A Resolver must be safe for concurrent use by
// multiple goroutines.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Resolve resolves host names itself and dials the Dialer it wraps with IP
// literals only, racing the resolved addresses in the manner of Happy
// Eyeballs (RFC 8305) until one connects.
//
// Its purpose is to make IP and CIDR rules hold for host names: with a
// [Selective] of such rules as the wrapped Dialer, every address a name
// resolves to is checked before it is dialed, and what is dialed is the
// checked IP literal, never the name again, so a second DNS answer (DNS
// rebinding) cannot slip past the check. See [Selective.ControlContext] for
// the same check inside a [net.Dialer] that keeps its own resolution.
//
// The address is read the way a Selective reads it, before anything else: a
// host that is neither a valid host name nor an IP literal (control
// characters, invalid UTF-8, an alternate IPv4 spelling such as "127.1",
// more than 253 bytes) or a port that is not a decimal number fails with a
// [*DialError] matching [rules.ErrInvalidAddress], and nothing is looked up or
// dialed. A name is looked up in its canonical form (lower case ASCII, after
// IDNA mapping, without a trailing dot). An IP literal is dialed at once in
// its canonical form: an IPv4-mapped IPv6 address as the IPv4 address, and
// the zone of an IPv6 address kept only when it is link-local, where it
// picks the interface to dial from. Each resolved address is dialed as
// net.JoinHostPort(ip, port) with the canonical text of the IP.
//
// The resolved addresses are put in the order of RFC 8305, section 4: the
// resolver's first, then alternately IPv6 and IPv4, each family in the
// resolver's order. The first address is dialed at once, and each next one
// after a connection attempt delay (250 ms, or as set by
// [WithStagger]) or as soon as an attempt fails, whichever comes
// first, while the attempts already started go on: an address that never
// answers does not hold up the others. The first connection wins; the
// other attempts get their ctx cancelled, and a connection that still
// arrives from them is closed, never leaked. A resolved address that
// cannot be dialed as given (invalid, or with a zone that is not made
// of letters, digits, '.', '_' and '-') is left out. A [Trace] sees
// each attempt as an innermost dial ("dial" start and done); the
// "concurrent" events are not reported. A panic of an attempt reaches the caller as
// described for [Concurrent].
//
// A failed lookup, or a name without addresses, fails with a [*DialError]
// with Op "resolve". When every address fails, the error unwraps to each
// address's error (a Reject's among them, for an address the rules refuse),
// keeping the first and last few of a long list. Once ctx is done no
// further address is tried and the error matches ctx.Err(), which is stated
// once however many attempts saw it.
//
// Use [NewResolve] to make one; the zero value is not usable.
// A Resolve is safe for concurrent use by multiple goroutines.
type Resolve struct {
	dialer       Dialer
	resolver     Resolver
	attemptDelay time.Duration
}

// NewResolve returns a Resolve that dials the addresses it resolves through
// d, configured by opts: [WithResolver], [WithStagger]. It panics if d is
// nil.
func NewResolve(d Dialer, opts ...Option) *Resolve {
	mustDialer("NewResolve", d)
	s := settings{stagger: defaultAttemptDelay}
	s.apply("NewResolve", takenByResolve, opts)
	return newResolve(d, &s)
}

// newResolve is NewResolve with the options applied, for it and NewGuard.
func newResolve(d Dialer, s *settings) *Resolve {
	r := &Resolve{dialer: d, resolver: s.resolver, attemptDelay: s.stagger}
	if r.resolver == nil {
		r.resolver = net.DefaultResolver
	}
	return r
}

// DialContext resolves the host of address, unless it is an IP literal, and
// races the resulting addresses through the wrapped Dialer.
func (r *Resolve) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	fail := func(err error) (net.Conn, error) {
		return nil, &DialError{Op: "resolve", Net: network, Addr: address, Err: err}
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	canonical, err := rules.Canonical(address)
	if err != nil {
		return fail(err)
	}
	host, port, _ := net.SplitHostPort(canonical)
	if _, err := netip.ParseAddr(host); err == nil {
		conn, err := dialInner(ctx, r.dialer, network, canonical)
		return passOn("resolve", network, address, conn, err)
	}
	found, err := r.resolver.LookupNetIP(ctx, ipNetwork(network), host)
	switch {
	case err != nil:
		return fail(err)
	case len(found) == 0:
		return fail(errors.New("no addresses for " + host))
	}
	ips := happyEyeballsOrder(found)
	switch len(ips) {
	case 0:
		return fail(errors.New("no usable addresses for " + host))
	case 1:
		dialed := net.JoinHostPort(ips[0].String(), port)
		conn, err := dialInner(ctx, r.dialer, network, dialed)
		if conn, err = passOn("resolve", network, dialed, conn, err); err != nil {
			return fail(err)
		}
		return conn, nil
	}
	race := race{op: "resolve", noun: "addresses", network: network, address: address,
		racers: len(ips), dialer: r.dialer, ips: ips, port: port, stagger: r.attemptDelay}
	return race.run(ctx)
}

// Dial is DialContext with [context.Background].
func (r *Resolve) Dial(network, address string) (net.Conn, error) {
	return r.DialContext(context.Background(), network, address)
}

// ipNetwork is the lookup network for a dial network: "ip4" for "tcp4",
// "ip6" for "udp6", "ip" for the rest.
func ipNetwork(network string) string {
	switch {
	case strings.HasSuffix(network, "4"):
		return "ip4"
	case strings.HasSuffix(network, "6"):
		return "ip6"
	}
	return "ip"
}
