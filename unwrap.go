package dialx

import (
	"context"
	"net"
	"slices"
	"unsafe"
)

// unwrapper is a Dialer that passes dials on to the Dialers Unwrap returns
// (see [Dialer]): every decorator of this package, and a user's that
// follows the convention.
type unwrapper interface {
	Unwrap() []Dialer
}

// refuser is a Dialer that can tell without dialing whether it would
// refuse a dial (see [Dialer]): [Reject], [Selective], or a user's.
type refuser interface {
	Refusal(ctx context.Context, network, address string) error
}

// refusalOf tells whether a dial of address through d would be refused
// without touching the network: d's own answer if it has a Refusal method,
// else that of the one Dialer it passes dials on to, if it has one, else
// nil. The walk is bounded by the depth of the stack (a Swappable is read
// once per step).
func refusalOf(ctx context.Context, d Dialer, network, address string) error {
	for {
		switch v := d.(type) {
		case refuser:
			return v.Refusal(ctx, network, address)
		case unwrapper:
			inner := v.Unwrap()
			if len(inner) != 1 {
				return nil
			}
			d = inner[0]
		default:
			return nil
		}
	}
}

// one returns the Dialer field at d as a slice of one, sharing its memory,
// so that Unwrap neither allocates nor needs a field of its own.
func one(d *Dialer) []Dialer {
	// Sound: this is (*[1]Dialer)(d)[:], a view that keeps the decorator alive; at cap 1 an
	// append copies, and only a write to its element, which [Dialer] forbids, reaches the field.
	return unsafe.Slice(d, 1)
}

// kept returns ds with its capacity cut to its length, so that an append to
// what Unwrap returns copies instead of writing into the decorator's array.
func kept(ds []Dialer) []Dialer { return ds[:len(ds):len(ds)] }

// Unwrap returns the Dialer r retries.
func (r *Repeat) Unwrap() []Dialer { return one(&r.dialer) }

// Unwrap returns the Dialer t bounds.
func (t *Timeout) Unwrap() []Dialer { return one(&t.dialer) }

// Unwrap returns the Dialer d delays.
func (d *Delay) Unwrap() []Dialer { return one(&d.dialer) }

// Unwrap returns the current Dialer.
func (s *Swappable) Unwrap() []Dialer { return one(&s.current.Load().dialer) }

// Unwrap returns the Dialers c tries.
func (c *Consecutive) Unwrap() []Dialer { return kept(c.dialers) }

// Unwrap returns the Dialers r tries.
func (r *Random) Unwrap() []Dialer { return kept(r.dialers) }

// Unwrap returns the Dialers c races.
func (c *Concurrent) Unwrap() []Dialer { return kept(c.dialers) }

// Unwrap returns the Dialers of s's rules, in order.
func (s *Selective) Unwrap() []Dialer { return kept(s.dialers) }

// Unwrap returns the Dialer b guards.
func (b *Breaker) Unwrap() []Dialer { return one(&b.dialer) }

// Unwrap returns the Dialer l limits.
func (l *Limit) Unwrap() []Dialer { return one(&l.dialer) }

// Unwrap returns the Dialer r dials the resolved addresses with.
func (r *Resolve) Unwrap() []Dialer { return one(&r.dialer) }

// Unwrap returns the one [Selective] g checks and dials with.
func (g *Guard) Unwrap() []Dialer { return kept(g.inner) }

// contextHonourer is a Dialer that declares whether its own DialContext
// honours ctx (see [Dialer]).
type contextHonourer interface {
	HonoursContext() bool
}

// honoursContext reports whether a dial through d is known to honour ctx:
// d's own code does (a *net.Dialer, a decorator of this package, a Dialer of
// FromProxy, or one whose HonoursContext says so), and so does every Dialer
// its Unwrap returns. It runs when a decorator is made, never on the dial
// path. A Swappable can change, so it is added to *swappables for the caller
// to check on each dial; with swappables nil (inside a Swappable's own
// Dialer) a nested Swappable counts as not known to honour ctx, so that the
// per-dial check stays one atomic load per Swappable.
func honoursContext(d Dialer, swappables *[]*Swappable) bool {
	switch v := d.(type) {
	case *net.Dialer, contextProxy, plainProxy:
		return true
	case *Swappable:
		if swappables == nil {
			return false
		}
		if !slices.Contains(*swappables, v) {
			*swappables = append(*swappables, v)
		}
		return true
	case *Resolve:
		// Its lookups run on the dial path too: a Resolver of the caller's
		// own may ignore ctx.
		if !resolverHonoursContext(v.resolver) {
			return false
		}
	case *Repeat, *Timeout, *Delay, *Consecutive, *Random, *Concurrent, *Selective,
		*Breaker, *Limit, *Guard, *Reject, *Balancer, *Endpoint, *HTTPProxy, *TLS, *Tracker:
	case contextHonourer:
		if !v.HonoursContext() {
			return false
		}
	default:
		return false
	}
	if u, ok := d.(unwrapper); ok {
		for _, inner := range u.Unwrap() {
			if !honoursContext(inner, swappables) {
				return false
			}
		}
	}
	return true
}

// swappablesHonour reports whether the current Dialer of each of ss is known
// to honour ctx, as recorded when it was swapped in.
func swappablesHonour(ss []*Swappable) bool {
	for _, s := range ss {
		if !s.current.Load().honours {
			return false
		}
	}
	return true
}

// resolverHonoursContext reports whether lookups through r are known to
// honour ctx: a *net.Resolver's do, and so do those of a Resolver whose
// HonoursContext says so.
func resolverHonoursContext(r Resolver) bool {
	switch v := r.(type) {
	case *net.Resolver:
		return true
	case contextHonourer:
		return v.HonoursContext()
	}
	return false
}
