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

// Resolver looks up the IP addresses of a host name, as [*net.Resolver]
// does. One of your own may declare that its lookups honour ctx with a
// HonoursContext() bool method, as a Dialer does (see [Dialer]), so that a
// [Timeout] above it may dial inline. A Resolver must be safe for concurrent
// use by multiple goroutines.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Resolve looks host names up itself and dials the Dialer it wraps with the
// IP literals found, never the name, so that the IP rules of a [Selective]
// hold for names and DNS rebinding cannot slip past them. It races the
// addresses as Happy Eyeballs (RFC 8305) does, each 250 ms ([WithStagger])
// after the previous one or when one fails; the first connection wins. An
// address [rules.Canonical] cannot read fails matching
// [rules.ErrInvalidAddress], a failed lookup with Op "resolve"; when every
// address fails, the error unwraps to each one's.
//
// Use [NewResolve] to make one; the zero value is not usable.
// A Resolve is safe for concurrent use by multiple goroutines.
type Resolve struct {
	dialer       Dialer
	resolver     Resolver
	attemptDelay time.Duration
	cache        *dnsCache // nil without WithCache
	// inline says dialer is known to honour ctx, as long as the current
	// Dialer of each of swappables does, so that a race of one address,
	// or of all at once, dials its last address on the caller's goroutine.
	inline     bool
	swappables []*Swappable
}

// NewResolve returns a Resolve that dials through d, configured by
// [WithResolver], [WithStagger] and [WithCache]. It panics if d is nil.
func NewResolve(d Dialer, opts ...Option) *Resolve {
	mustDialer("NewResolve", d)
	s := settings{stagger: defaultAttemptDelay}
	s.apply("NewResolve", takenByResolve, opts)
	return newResolve(d, &s)
}

// newResolve is NewResolve with the options applied, for it and NewGuard.
func newResolve(d Dialer, s *settings) *Resolve {
	r := &Resolve{dialer: d, resolver: s.resolver, attemptDelay: s.stagger}
	r.inline = honoursContext(d, &r.swappables)
	if r.resolver == nil {
		r.resolver = net.DefaultResolver
	}
	if s.cache != nil {
		r.cache = newDNSCache(*s.cache, r.lookup)
	}
	return r
}

// DialContext resolves the host of address and races what it finds.
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
	var ips []netip.Addr
	if r.cache != nil {
		ips, err = r.cache.addresses(ctx, network, address, host)
	} else {
		ips, err = r.lookup(ctx, ipNetwork(network), host)
	}
	if err != nil {
		return fail(err)
	}
	if len(ips) == 1 {
		dialed := net.JoinHostPort(ips[0].String(), port)
		conn, err := dialInner(ctx, r.dialer, network, dialed)
		if conn, err = passOn("resolve", network, dialed, conn, err); err != nil {
			return fail(err)
		}
		return conn, nil
	}
	race := race{op: "resolve", noun: "addresses", network: network, address: address,
		racers: len(ips), dialer: r.dialer, ips: ips, port: port, stagger: r.attemptDelay,
		inline: r.inline && swappablesHonour(r.swappables)}
	return race.run(ctx)
}

// lookup looks host up through the Resolver and returns the addresses to
// dial, in the order to dial them, or an error: never none.
func (r *Resolve) lookup(ctx context.Context, network, host string) ([]netip.Addr, error) {
	found, err := r.resolver.LookupNetIP(ctx, network, host)
	switch {
	case err != nil:
		return nil, err
	case len(found) == 0:
		return nil, errors.New("no addresses for " + host)
	}
	ips := happyEyeballsOrder(found)
	if len(ips) == 0 {
		return nil, errors.New("no usable addresses for " + host)
	}
	return ips, nil
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

// defaultAttemptDelay is the Connection Attempt Delay that RFC 8305
// recommends: the stagger of a Resolve and a Guard unless WithStagger sets
// one.
const defaultAttemptDelay = 250 * time.Millisecond

// WithResolver makes a [Resolve] or a [Guard] look names up through resolver
// rather than [net.DefaultResolver] or a Guard's [*net.Dialer]'s own. It
// panics if resolver is nil.
func WithResolver(resolver Resolver) Option {
	if resolver == nil {
		panic("dialx: WithResolver: resolver must not be nil, got nil")
	}
	return &option{name: "WithResolver", to: takenByResolve | takenByGuard,
		set: func(s *settings) { s.resolver = resolver }}
}
