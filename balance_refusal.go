package dialx

import (
	"context"
	"time"
)

// mayRefuse reports whether a Balancer must look beneath d on each dial for
// a refusal: d, or a Dialer down its chain of single-Dialer decorators, is a
// [Breaker], a Swappable (which may hold one later) or has a Refusal method.
// Members where none can be found cost nothing to check.
func mayRefuse(d Dialer) bool {
	return down(d, func(d Dialer) bool {
		switch d.(type) {
		case refuser, *Breaker, *Swappable:
			return true
		}
		return false
	})
}

// wouldRefuse reports whether a dial of address through d would be refused
// without touching the network: a Refusal method down d's chain says so
// (as refusalOf reads it), or a Breaker on the way has the address's
// circuit open.
func wouldRefuse(ctx context.Context, d Dialer, network, address string) bool {
	refused := false
	down(d, func(d Dialer) bool {
		switch v := d.(type) {
		case refuser:
			refused = v.Refusal(ctx, network, address) != nil
			return true
		case *Breaker:
			refused = v.refuses(network, address)
			return refused
		}
		return false
	})
	return refused
}

// down calls visit with d and then each Dialer down its chain of
// single-Dialer decorators, until visit returns true, and reports whether
// one did.
func down(d Dialer, visit func(Dialer) bool) bool {
	for !visit(d) {
		u, ok := d.(unwrapper)
		if !ok {
			return false
		}
		inner := u.Unwrap()
		if len(inner) != 1 {
			return false
		}
		d = inner[0]
	}
	return true
}

// refuses reports whether b would refuse a dial to address now: its circuit
// is open and cooling down, or half-open with its probe in flight. Once the
// cool-down is over the dial would be the probe, so it is not refused.
func (b *Breaker) refuses(network, address string) bool {
	key := address
	if b.cfg.key != nil {
		key = b.cfg.key(network, address)
	}
	v, ok := b.circuits.Load(key)
	if !ok {
		return false
	}
	c := v.(*circuit)
	switch BreakerState(c.state.Load()) {
	case BreakerOpen:
		return b.now() < time.Duration(c.openUntil.Load())
	case BreakerHalfOpen:
		return c.probing.Load()
	}
	return false
}
