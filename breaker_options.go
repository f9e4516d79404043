package dialx

import (
	"fmt"
	"time"
)

// WithConsecutiveFailures opens a [Breaker]'s circuit after n failed dials in
// a row (default 5); 0 turns the rule off, leaving [WithFailureRatio].
// It panics if n is negative.
func WithConsecutiveFailures(n int) BreakerOption {
	if n < 0 {
		panic(fmt.Sprintf("dialx: WithConsecutiveFailures: n must be >= 0, got %d", n))
	}
	return consecutiveFailures(n)
}

type consecutiveFailures int

func (n consecutiveFailures) applyBreaker(c *breakerConfig) { c.consecutive = int(n) }

// WithFailureRatio also opens a [Breaker]'s circuit when, over the last
// window, at least minDials dials were counted and the share of them that
// failed reached ratio. The window slides in tenths of its length. The rule
// is off unless this option is given.
// It panics unless 0 < ratio <= 1, window > 0 and minDials >= 1.
func WithFailureRatio(ratio float64, window time.Duration, minDials int) BreakerOption {
	switch {
	case !(ratio > 0 && ratio <= 1):
		panic(fmt.Sprintf("dialx: WithFailureRatio: ratio must be in (0, 1], got %v", ratio))
	case window <= 0:
		panic(fmt.Sprintf("dialx: WithFailureRatio: window must be > 0, got %v", window))
	case minDials < 1:
		panic(fmt.Sprintf("dialx: WithFailureRatio: minDials must be >= 1, got %d", minDials))
	}
	return failureRatio{ratio: ratio, window: window, minDials: minDials}
}

type failureRatio struct {
	ratio    float64
	window   time.Duration
	minDials int
}

func (r failureRatio) applyBreaker(c *breakerConfig) {
	c.ratio, c.window, c.minDials = r.ratio, r.window, r.minDials
}

// WithCoolDown sets how long a [Breaker]'s circuit stays open: base after it
// opens, doubled each time a probe fails, at most max, each with ±20 %
// jitter (defaults 5 s and 2 min).
// It panics unless 0 < base <= max.
func WithCoolDown(base, max time.Duration) BreakerOption {
	if base <= 0 || max < base {
		panic(fmt.Sprintf("dialx: WithCoolDown: need 0 < base <= max, got base %v, max %v", base, max))
	}
	return coolDown{base: base, max: max}
}

type coolDown struct{ base, max time.Duration }

func (d coolDown) applyBreaker(c *breakerConfig) { c.baseCoolDown, c.maxCoolDown = d.base, d.max }

// WithBreakerKey sets which circuit of a [Breaker] a dial uses: dials whose
// key is the same share one. By default the key is the address, so a host
// dialed on two ports has two circuits; a key of the host alone would give
// it one.
// It panics if key is nil.
func WithBreakerKey(key func(network, address string) string) BreakerOption {
	if key == nil {
		panic("dialx: WithBreakerKey: key must not be nil, got nil")
	}
	return breakerKey(key)
}

type breakerKey func(network, address string) string

func (k breakerKey) applyBreaker(c *breakerConfig) { c.key = k }

// WithStateChange has a [Breaker] call f each time a circuit changes state,
// with the circuit's key. Calls for one circuit come one at a time and in
// order, from the goroutine whose dial made the change, or from one still
// passing on an earlier change of that circuit; calls for different
// circuits may overlap. No lock is held during a call, so f may dial,
// even through the same Breaker, but it delays the dial that made the
// change, so it should be quick; it must not panic.
// Forgetting a circuit (see [WithForgetAfter]) is not reported: the
// destination is closed again, and a dial still out on the forgotten
// circuit, such as its probe, reports nothing when it ends.
func WithStateChange(f func(key string, from, to BreakerState)) BreakerOption {
	return stateChange(f)
}

type stateChange func(key string, from, to BreakerState)

func (f stateChange) applyBreaker(c *breakerConfig) { c.onChange = f }

// WithForgetAfter sets how long a destination must go undialed before a
// [Breaker] may forget its circuit (default 10 min). Circuits are forgotten
// when a new destination is dialed, never before they have gone undialed
// for d: the first dial of a new destination once a circuit has gone
// undialed for 2×d forgets it, if an earlier one did not. A circuit that
// holds a decision, open inside its cool-down or half-open, is kept, and so
// is one whose changes the [WithStateChange] callback is still being given;
// for a circuit left open, the 2×d run from the end of its cool-down.
// It panics if d <= 0.
func WithForgetAfter(d time.Duration) BreakerOption {
	if d <= 0 {
		panic(fmt.Sprintf("dialx: WithForgetAfter: d must be > 0, got %v", d))
	}
	return forgetAfter(d)
}

type forgetAfter time.Duration

func (d forgetAfter) applyBreaker(c *breakerConfig) { c.forgetAfter = time.Duration(d) }

// WithMaxDestinations caps how many circuits a [Breaker] keeps (default
// 10,000). When a new destination comes and the cap is reached, an eighth of
// the circuits are dropped: those undialed for the [WithForgetAfter] time
// first, then any that hold no decision, then any.
// It panics if n < 1.
func WithMaxDestinations(n int) BreakerOption {
	if n < 1 {
		panic(fmt.Sprintf("dialx: WithMaxDestinations: n must be >= 1, got %d", n))
	}
	return maxDestinations(n)
}

type maxDestinations int

func (n maxDestinations) applyBreaker(c *breakerConfig) { c.maxDestinations = int(n) }

// WithCoolDownRand makes a [Breaker] draw the jitter of its cool-downs from
// rand, which returns numbers in [0, 1), instead of [math/rand/v2.Float64],
// so that the cool-downs can be repeated: pass the Float64 method of a
// seeded [math/rand/v2.Rand]. The Breaker never calls rand from two
// goroutines at once, so rand need not be safe for concurrent use.
// It panics if rand is nil.
func WithCoolDownRand(rand func() float64) BreakerOption {
	if rand == nil {
		panic("dialx: WithCoolDownRand: rand must not be nil, got nil")
	}
	return coolDownRand(rand)
}

type coolDownRand func() float64

func (r coolDownRand) applyBreaker(c *breakerConfig) { c.rand = r }
