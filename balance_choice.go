package dialx

import (
	"context"
	"time"
)

// badHealth is the estimate above which a member counts as bad for
// affinity: reached by a recent failure (see failureCost) or by dials that
// take over a second, not by a member that is only slower than the others.
const badHealth = time.Second

// choice chooses the members one dial tries, in turn.
type choice struct {
	b                *Balancer
	ctx              context.Context
	network, address string
	trace            Trace

	affinity bool   // WithKey: rendezvous hashing instead of load
	hash     uint64 // of the dial's key

	tried     uint64 // bit i: member i was tried (Balancers of up to 64)
	triedMore []bool // the same, for larger Balancers
}

// next returns the member attempt i goes to, and reports the choice.
func (c *choice) next(i int) Dialer {
	now := c.b.now()
	var m *member
	if c.affinity {
		m = c.byKey(now)
	} else {
		m = c.byLoad(now, i)
	}
	c.mark(m.index)
	if c.trace != nil {
		c.trace(c.ctx, Event{Op: "balancer", Kind: "chose", Network: c.network, Address: c.address,
			N: m.index, Elapsed: m.health(now)})
	}
	return m
}

func (c *choice) isTried(i int) bool {
	if c.triedMore != nil {
		return c.triedMore[i]
	}
	return c.tried&(1<<i) != 0
}

func (c *choice) mark(i int) {
	if c.triedMore != nil {
		c.triedMore[i] = true
		return
	}
	c.tried |= 1 << i
}

// refuses reports whether m would refuse the dial without dialing.
func (c *choice) refuses(m *member) bool {
	return m.mayRefuse && wouldRefuse(c.ctx, m.dialer, c.network, c.address)
}

// byLoad draws two members not yet tried and returns the cheaper, unless
// the first costs at most the tolerance more. Members that would refuse
// come last. Attempt i has had i members tried before it.
func (c *choice) byLoad(now int64, i int) *member {
	ms := c.b.members
	left := len(ms) - i
	if left == 1 {
		return c.firstUntried()
	}
	if i == 0 {
		// The common case: nothing tried yet, so two draws pick two.
		a := c.b.intN(len(ms))
		b := c.b.intN(len(ms) - 1)
		if b >= a {
			b++
		}
		if ma, mb := ms[a], ms[b]; !c.refuses(ma) && !c.refuses(mb) {
			return c.cheaper(now, ma, mb)
		}
	}
	// After a failure, or with a member that would refuse: draw among all
	// the members left, by reservoir sampling, those that would not refuse
	// first.
	var ma, mb, fallback *member
	seen := 0
	for _, m := range ms {
		if c.isTried(m.index) {
			continue
		}
		if c.refuses(m) {
			if fallback == nil || m.cost(now) < fallback.cost(now) {
				fallback = m
			}
			continue
		}
		seen++
		switch {
		case seen == 1:
			ma = m
		case seen == 2:
			mb = m
			if c.b.intN(2) == 0 {
				ma, mb = mb, ma
			}
		default:
			// Keep each of the seen members as one of the pair with
			// probability 2/seen, in a random one of the two places.
			if j := c.b.intN(seen); j < 2 {
				if j == 0 {
					ma = m
				} else {
					mb = m
				}
			}
		}
	}
	switch {
	case mb != nil:
		return c.cheaper(now, ma, mb)
	case ma != nil:
		return ma
	}
	return fallback
}

// cheaper returns b if it costs less than a by more than the tolerance,
// else a.
func (c *choice) cheaper(now int64, a, b *member) *member {
	if b.cost(now)+float64(c.b.cfg.tolerance) < a.cost(now) {
		return b
	}
	return a
}

// firstUntried returns the one member not tried yet.
func (c *choice) firstUntried() *member {
	for _, m := range c.b.members {
		if !c.isTried(m.index) {
			return m
		}
	}
	panic("dialx: Balancer: no member left to try") // dialInTurn plans one attempt per member
}

// byKey returns the member ranked highest for the dial's key by
// rendezvous hashing among the healthy members not yet tried, then among
// those that are bad, then among those that would refuse. A member that
// goes bad thus moves only its own keys, each to the member ranked next for
// it, and gets them back once it is healthy again.
func (c *choice) byKey(now int64) *member {
	var best *member
	bestClass, bestWeight := 3, uint64(0)
	for _, m := range c.b.members {
		if c.isTried(m.index) {
			continue
		}
		class := 0
		switch {
		case c.refuses(m):
			class = 2
		case m.health(now) > badHealth:
			class = 1
		}
		weight := mix64(c.hash ^ m.seed)
		if class < bestClass || class == bestClass && weight > bestWeight {
			best, bestClass, bestWeight = m, class, weight
		}
	}
	return best
}

// hashString is 64-bit FNV-1a.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// mix64 is SplitMix64's finalizer: it spreads every bit of x over the
// result, so that weights of one key for different members are unrelated.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
