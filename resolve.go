package dialx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// Resolver looks up the IP addresses of a host name. [*net.Resolver] is one;
// tests inject their own. A Resolver must be safe for concurrent use by
// multiple goroutines.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// ResolveOption configures a [Resolve]; see [WithResolver]. ResolveOption
// values are immutable and safe to share between goroutines.
type ResolveOption interface {
	applyResolve(*Resolve)
}

type resolverOption struct{ resolver Resolver }

func (o resolverOption) applyResolve(r *Resolve) { r.resolver = o.resolver }

// WithResolver makes a Resolve look names up through resolver instead of
// [net.DefaultResolver].
func WithResolver(resolver Resolver) ResolveOption {
	if resolver == nil {
		panic("dialx: WithResolver: nil Resolver")
	}
	return resolverOption{resolver: resolver}
}

// Resolve resolves host names itself and dials the Dialer it wraps with IP
// literals only, trying the resolved addresses in the order the resolver
// gave them until one connects. Addresses that are already IP literals are
// passed on unchanged.
//
// Its purpose is to make IP and CIDR rules hold for host names: with a
// [Selective] of such rules as the wrapped Dialer, every address a name
// resolves to is checked before it is dialed, and what is dialed is the
// checked IP literal, never the name again, so a second DNS answer (DNS
// rebinding) cannot slip past the check. See [Selective.ControlContext] for
// the same check inside a [net.Dialer] that keeps its own resolution.
//
// A failed lookup, or a name without addresses, fails with a [*DialError]
// with Op "resolve"; when every address fails, the error wraps each
// address's error (a Reject's among them, for an address the rules refuse). Once ctx is done no further address is tried.
//
// Use [NewResolve] to make one; the zero value is not usable.
// A Resolve is safe for concurrent use by multiple goroutines.
type Resolve struct {
	dialer   Dialer
	resolver Resolver
}

// NewResolve returns a Resolve that dials the addresses it resolves through
// d. It panics if d is nil.
func NewResolve(d Dialer, opts ...ResolveOption) *Resolve {
	mustDialer("NewResolve", d)
	r := &Resolve{dialer: d, resolver: net.DefaultResolver}
	for _, opt := range opts {
		opt.applyResolve(r)
	}
	return r
}

// DialContext resolves the host of address, unless it is an IP literal, and
// dials the resulting addresses in turn through the wrapped Dialer.
func (r *Resolve) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	fail := func(err error) (net.Conn, error) {
		return nil, &DialError{Op: "resolve", Net: network, Addr: address, Err: err}
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return fail(fmt.Errorf("%w: %v", ErrInvalidAddress, err))
	}
	t := traceFrom(ctx)
	if _, err := netip.ParseAddr(host); err == nil {
		conn, err := dialInnerTraced(ctx, t, r.dialer, network, address)
		return passOn("resolve", network, address, conn, err)
	}
	ips, err := r.resolver.LookupNetIP(ctx, ipNetwork(network), host)
	switch {
	case err != nil:
		return fail(err)
	case len(ips) == 0:
		return fail(errors.New("no addresses for " + host))
	}
	var errs attemptErrors
	var last error
	for i, ip := range ips {
		if err := ctx.Err(); err != nil {
			return fail(stopped(err, i, len(ips), "addresses", &errs))
		}
		dialed := net.JoinHostPort(ip.Unmap().String(), port)
		conn, err := dialInnerTraced(ctx, t, r.dialer, network, dialed)
		switch {
		case err == nil && conn != nil:
			return conn, nil
		case err == nil:
			err = &DialError{Op: "resolve", Net: network, Addr: dialed, Err: errNoConn}
		default:
			closeStray(conn)
		}
		errs.add(i, err)
		last = err
	}
	if len(ips) == 1 {
		return fail(last)
	}
	return fail(allFailed("addresses", &errs))
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
