package dialx

import (
	"context"
	"time"
)

// badHealth is the estimate above which a member counts as bad for
// affinity: reached by a recent failure (see failureCost) or by dials that
// take over a second, not by a member that is only slower than the others.
const badHealth = time.Second

// maxChoices is how many members a Balancer draws for each dial: with three
// rather than the classic two, the second worst member is not chosen each
// time it is drawn with the worst (a tenth of the dials, with five members).
const maxChoices = 3

// choice chooses the members one dial tries, in turn.
type choice struct {
	b                *Balancer
	ctx              context.Context
	network, address string

	affinity bool   // WithKey: rendezvous hashing instead of load
	hash     uint64 // of the dial's key

	tried     uint64 // bit i: member i was tried (Balancers of up to 64)
	triedMore []bool // the same, for larger Balancers
}

// next returns the member attempt i goes to, chosen at instant now.
func (c *choice) next(now int64, i int) *member {
	var m *member
	if c.affinity {
		m = c.byKey(now)
	} else {
		m = c.byLoad(now, i)
	}
	c.mark(m.index)
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

// byLoad draws members not yet tried, three or as many as are left, and
// returns the cheapest, unless the first drawn costs at most the tolerance
// more. Members that would refuse come last. Attempt i has had i members
// tried before it.
func (c *choice) byLoad(now int64, i int) *member {
	ms := c.b.members
	if len(ms)-i == 1 {
		return c.firstUntried()
	}
	var drawn [maxChoices]*member
	if i == 0 {
		// The common case: nothing tried yet, so each draw skips the
		// earlier ones and all are distinct.
		k := c.drawFresh(drawn[:])
		if k > 0 {
			return c.cheapest(now, drawn[:k])
		}
	}
	// After a failure, or with a member that would refuse: draw among all
	// the members left, by reservoir sampling, those that would not refuse
	// first.
	choices := min(c.b.choices, len(ms))
	var fallback *member
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
		if seen <= choices {
			// In at a random place, so that which is first is random too.
			j := c.b.intN(seen)
			drawn[seen-1], drawn[j] = drawn[j], m
		} else if j := c.b.intN(seen); j < choices {
			drawn[j] = m
		}
	}
	if seen == 0 {
		return fallback
	}
	return c.cheapest(now, drawn[:min(seen, choices)])
}

// drawFresh fills drawn with distinct members drawn at random, as many as
// the Balancer's choices or its members, and returns how many, or 0 if one
// of them would refuse the dial.
func (c *choice) drawFresh(drawn []*member) int {
	ms := c.b.members
	k := min(c.b.choices, len(ms))
	var taken [maxChoices]int // the indices drawn so far, ascending
	for j := range k {
		// A draw among the members not drawn yet, mapped to its index by
		// stepping over those drawn.
		x := c.b.intN(len(ms) - j)
		p := 0
		for ; p < j && taken[p] <= x; p++ {
			x++
		}
		copy(taken[p+1:j+1], taken[p:j])
		taken[p] = x
		if c.refuses(ms[x]) {
			return 0
		}
		drawn[j] = ms[x]
	}
	return k
}

// cheapest returns the cheapest of drawn, keeping the first unless another
// costs less by more than the tolerance.
func (c *choice) cheapest(now int64, drawn []*member) *member {
	best := drawn[0]
	bestCost := best.cost(now) - float64(c.b.cfg.tolerance)
	for _, m := range drawn[1:] {
		if cost := m.cost(now); cost < bestCost {
			best, bestCost = m, cost
		}
	}
	return best
}

// firstUntried returns the one member not tried yet.
func (c *choice) firstUntried() *member {
	for _, m := range c.b.members {
		if !c.isTried(m.index) {
			return m
		}
	}
	panic("dialx: Balancer: no member left to try") // a dial makes one attempt per member
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
		case m.bad(now):
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
