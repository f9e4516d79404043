package dialx

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// circuit is what a Breaker keeps for one destination. The fields read on
// every dial are atomics; state changes are made under mu, so that they are
// seen, and reported, in order.
type circuit struct {
	state     atomic.Int32   // a BreakerState
	failures  atomic.Int32   // consecutive failures while closed
	probing   atomic.Bool    // the half-open probe is in flight
	used      atomic.Bool    // dialed since the last sweep
	openUntil atomic.Int64   // the Breaker.now instant the cool-down ends
	window    *outcomeWindow // nil unless WithFailureRatio is set

	mu        sync.Mutex
	trips     int  // openings since the circuit was last closed
	forgotten bool // dropped from the Breaker: its changes go unreported
}

// admit decides whether a dial may go through a circuit that was not closed
// when the dial looked at it; probe reports that the dial is the one probe
// of a half-open circuit.
func (b *Breaker) admit(call breakerCall, c *circuit) (probe, admitted bool) {
	for {
		switch BreakerState(c.state.Load()) {
		case BreakerClosed:
			return false, true
		case BreakerHalfOpen:
			if c.probing.Load() {
				return false, false
			}
		case BreakerOpen:
			if b.now() < time.Duration(c.openUntil.Load()) {
				return false, false
			}
		}
		if probe, admitted, again := b.admitLocked(call, c); !again {
			return probe, admitted
		}
	}
}

// admitLocked is the part of admit made under c.mu; again reports that the
// circuit closed meanwhile, so the dial should look again. The lock is
// released, and a half-open circuit left to the next dial's probe, even if
// a state-change hook panics.
func (b *Breaker) admitLocked(call breakerCall, c *circuit) (probe, admitted, again bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch BreakerState(c.state.Load()) {
	case BreakerOpen:
		if b.now() < time.Duration(c.openUntil.Load()) {
			return false, false, false
		}
		c.probing.Store(true)
		c.state.Store(int32(BreakerHalfOpen))
		defer func() {
			if !admitted { // the hook panicked: this dial will not probe
				c.probing.Store(false)
			}
		}()
		b.changed(call, c, BreakerOpen, BreakerHalfOpen)
		return true, true, false
	case BreakerHalfOpen:
		// The previous probe ended without a verdict: this dial probes.
		probe = !c.probing.Load()
		c.probing.Store(true)
		return probe, probe, false
	}
	return false, false, true
}

// record counts the outcome of a dial that went through c.
func (b *Breaker) record(call breakerCall, c *circuit, probe bool, err error) {
	if probe {
		b.settle(call, c, err)
		return
	}
	if err == nil {
		if c.failures.Load() != 0 {
			c.failures.Store(0)
		}
		if c.window != nil {
			c.window.add(b.tick(), false)
		}
		return
	}
	if call.ctx.Err() != nil || BreakerState(c.state.Load()) != BreakerClosed {
		// The caller gave up, or the circuit opened while this dial was
		// out: either way the failure adds nothing.
		return
	}
	trip := false
	if n := int(c.failures.Add(1)); b.cfg.consecutive > 0 && n >= b.cfg.consecutive {
		trip = true
	}
	if c.window != nil {
		tick := b.tick()
		c.window.add(tick, true)
		if !trip {
			failed, total := c.window.counts(tick)
			trip = total >= b.cfg.minDials && float64(failed) >= b.cfg.ratio*float64(total)
		}
	}
	if trip {
		b.trip(call, c)
	}
}

// trip opens c, unless another dial did first.
func (b *Breaker) trip(call breakerCall, c *circuit) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if BreakerState(c.state.Load()) == BreakerClosed {
		c.trips = 1
		b.open(call, c, BreakerClosed)
	}
}

// settle ends the half-open state with the outcome of its probe.
func (b *Breaker) settle(call breakerCall, c *circuit, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case err == nil:
		c.failures.Store(0)
		if c.window != nil {
			c.window.reset()
		}
		c.trips = 0
		c.state.Store(int32(BreakerClosed))
		c.probing.Store(false)
		b.changed(call, c, BreakerHalfOpen, BreakerClosed)
	case call.ctx.Err() != nil:
		c.probing.Store(false) // no verdict: the next dial probes
	default:
		c.trips++
		c.probing.Store(false)
		b.open(call, c, BreakerHalfOpen)
	}
}

// open opens c for the cool-down of its current trip count. c.mu must be held.
func (b *Breaker) open(call breakerCall, c *circuit, from BreakerState) {
	now := b.now()
	until := now + b.coolDown(c.trips)
	if until < now {
		until = math.MaxInt64 // a cool-down near the int64 limit: open for good
	}
	c.openUntil.Store(int64(until))
	c.state.Store(int32(BreakerOpen))
	b.changed(call, c, from, BreakerOpen)
}

// changed reports a state change of c. c.mu is held, so that changes of
// one circuit are reported in the order they happened.
func (b *Breaker) changed(call breakerCall, c *circuit, from, to BreakerState) {
	if c.forgotten {
		return
	}
	if b.cfg.onChange != nil {
		b.cfg.onChange(call.key, from, to)
	}
	if t := traceFrom(call.ctx); t != nil && t.BreakerStateChange != nil {
		t.BreakerStateChange(BreakerStateChangeInfo{
			Network: call.network, Address: call.address, Key: call.key, From: from, To: to,
		})
	}
}

// breakerCall is the dial a Breaker is deciding on.
type breakerCall struct {
	ctx                   context.Context
	network, address, key string
}
