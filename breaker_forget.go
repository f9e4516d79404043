package dialx

import (
	"math"
	"time"
)

// How a Breaker keeps the promise of WithForget(d, max) without a lock or a
// write on every dial:
//
//   - Each dial reads the monotonic clock once and touches its circuit,
//     which stores the instant only when the one it holds is more than
//     grain (d/8) old. The stored instant is thus never after the circuit's
//     latest dial and at most grain before it, and a busy circuit's cache
//     line is written at most once per grain.
//   - A circuit is quiet once its stored instant is d+grain old: it has then
//     gone undialed for at least d.
//   - A new destination sweeps out the quiet circuits that hold no
//     decision, at most once per d/2. A circuit quiet since u is quiet at
//     every sweep from u+d+grain on, and a dial of a new destination at
//     u+2d or later either sweeps or follows a sweep made after
//     u+2d-d/2 = u+1.5d, which is later than u+d+grain.
const (
	forgetGrain = 8 // grain = forgetAfter/forgetGrain
	sweepEvery  = 2 // sweeps at most once per forgetAfter/sweepEvery
)

// forgetTimes returns the grain of the instants circuits store, how old the
// stored instant must be for a circuit to be quiet, and how long sweeps are
// apart at least, for WithForget(d, max).
func forgetTimes(d time.Duration) (grain, quietAfter, sweepGap time.Duration) {
	grain = d / forgetGrain
	quietAfter = d + grain
	if quietAfter < d { // past the int64 range: nothing is ever quiet
		quietAfter = math.MaxInt64
	}
	return grain, quietAfter, d / sweepEvery
}

// touch records a dial of c at now, the Breaker.now instant the dial read.
// It writes only when the instant c holds is more than grain old, and never
// moves it back, so that the instant stays within grain of the latest dial
// whatever order concurrent dials store in.
func (c *circuit) touch(now, grain time.Duration) {
	for {
		last := c.lastUsed.Load()
		if now-time.Duration(last) <= grain {
			return
		}
		if c.lastUsed.CompareAndSwap(last, int64(now)) {
			return
		}
	}
}

// quiet reports whether c has gone undialed for at least forgetAfter.
func (b *Breaker) quiet(c *circuit, now time.Duration) bool {
	return now-time.Duration(c.lastUsed.Load()) >= b.quietAfter
}

// circuit returns the circuit for key, making it if need be.
func (b *Breaker) circuit(key string) *circuit {
	if c, ok := b.circuits.Load(key); ok {
		return c.(*circuit)
	}
	return b.addCircuit(key)
}

func (b *Breaker) addCircuit(key string) *circuit {
	b.mu.Lock()
	defer b.mu.Unlock()
	if c, ok := b.circuits.Load(key); ok {
		return c.(*circuit)
	}
	now := b.now()
	if now-b.lastSweep >= b.sweepGap {
		b.forgetQuiet(now)
	}
	if b.tracked >= b.cfg.maxDestinations {
		b.shed(now)
	}
	c := &circuit{}
	c.lastUsed.Store(int64(now))
	if b.cfg.ratio > 0 {
		c.outcomes = new(window)
	}
	b.circuits.Store(key, c)
	b.tracked++
	return c
}

// forgetQuiet drops the quiet circuits, unless they hold a decision still
// in force. b.mu must be held.
func (b *Breaker) forgetQuiet(now time.Duration) {
	b.lastSweep = now
	for key, c := range b.circuits.Range {
		c := c.(*circuit)
		if b.quiet(c, now) && !c.holding(now) {
			b.drop(key, c)
		}
	}
}

// shed makes room when the Breaker tracks as many destinations as it may: it
// drops an eighth of them, quiet ones first, then any not holding a
// decision, then any, so that the cap holds whatever the circuits are
// doing. b.mu must be held.
func (b *Breaker) shed(now time.Duration) {
	target := b.cfg.maxDestinations - max(1, b.cfg.maxDestinations/8)
	for pass := 0; pass < 3 && b.tracked > target; pass++ {
		for key, c := range b.circuits.Range {
			if b.tracked <= target {
				break
			}
			c := c.(*circuit)
			if pass == 0 && !b.quiet(c, now) || pass < 2 && c.holding(now) {
				continue
			}
			b.drop(key, c)
		}
	}
}

// drop forgets c. A dial still out on c (a probe, say) ends on c without
// reporting: the circuit that replaces c for key reports from closed again.
// b.mu must be held. Waiting for c.mu under b.mu is safe: nothing holding
// c.mu calls a Trace or takes b.mu.
func (b *Breaker) drop(key any, c *circuit) {
	c.mu.Lock()
	c.forgotten = true
	c.mu.Unlock()
	b.circuits.Delete(key)
	b.tracked--
}

// holding reports whether forgetting c would drop a decision still in
// force: an open circuit inside its cool-down, or a half-open one.
func (c *circuit) holding(now time.Duration) bool {
	switch BreakerState(c.state.Load()) {
	case BreakerOpen:
		return now < time.Duration(c.openUntil.Load())
	case BreakerHalfOpen:
		return true
	}
	return false
}
