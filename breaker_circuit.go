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
// seen, and queued for the WithStateChange callback, in order. No hook is
// ever called under mu, so a hook may dial through the Breaker.
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

	pending    []transition // changes not yet passed to the callback
	delivering bool         // a goroutine is passing pending on
}

// transition is a change of state of a circuit; made is false for none.
type transition struct {
	from, to BreakerState
	made     bool
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
		probe, admitted, again, change := b.admitLocked(call, c)
		if change.made {
			b.reportProbe(call, c, change)
		}
		if !again {
			return probe, admitted
		}
	}
}

// reportProbe reports the change that made call the probe of c. If a hook
// panics, call will not probe, and the next dial does instead.
func (b *Breaker) reportProbe(call breakerCall, c *circuit, change transition) {
	reported := false
	defer func() {
		if !reported {
			c.mu.Lock()
			c.probing.Store(false)
			c.mu.Unlock()
		}
	}()
	b.report(call, c, change)
	reported = true
}

// admitLocked is the part of admit made under c.mu; again reports that the
// circuit closed meanwhile, so the dial should look again.
func (b *Breaker) admitLocked(call breakerCall, c *circuit) (probe, admitted, again bool, change transition) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch BreakerState(c.state.Load()) {
	case BreakerOpen:
		if b.now() < time.Duration(c.openUntil.Load()) {
			return false, false, false, transition{}
		}
		c.probing.Store(true)
		c.state.Store(int32(BreakerHalfOpen))
		return true, true, false, b.changed(c, BreakerOpen, BreakerHalfOpen)
	case BreakerHalfOpen:
		// The previous probe ended without a verdict: this dial probes.
		probe = !c.probing.Load()
		c.probing.Store(true)
		return probe, probe, false, transition{}
	}
	return false, false, true, transition{}
}

// record counts the outcome of a dial that went through c.
func (b *Breaker) record(call breakerCall, c *circuit, probe bool, err error) {
	if probe {
		b.report(call, c, b.settle(call, c, err))
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
		b.report(call, c, b.trip(c))
	}
}

// trip opens c, unless another dial did first.
func (b *Breaker) trip(c *circuit) transition {
	c.mu.Lock()
	defer c.mu.Unlock()
	if BreakerState(c.state.Load()) != BreakerClosed {
		return transition{}
	}
	c.trips = 1
	return b.open(c, BreakerClosed)
}

// settle ends the half-open state with the outcome of its probe.
func (b *Breaker) settle(call breakerCall, c *circuit, err error) transition {
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
		return b.changed(c, BreakerHalfOpen, BreakerClosed)
	case call.ctx.Err() != nil:
		c.probing.Store(false) // no verdict: the next dial probes
		return transition{}
	default:
		c.trips++
		c.probing.Store(false)
		return b.open(c, BreakerHalfOpen)
	}
}

// open opens c for the cool-down of its current trip count. c.mu must be held.
func (b *Breaker) open(c *circuit, from BreakerState) transition {
	now := b.now()
	until := now + b.coolDown(c.trips)
	if until < now {
		until = math.MaxInt64 // a cool-down near the int64 limit: open for good
	}
	c.openUntil.Store(int64(until))
	c.state.Store(int32(BreakerOpen))
	return b.changed(c, from, BreakerOpen)
}

// changed queues a change of state of c for the callback and returns it,
// for report to pass on once c.mu is released. c.mu must be held, so that
// the changes of one circuit are queued in the order they were made.
func (b *Breaker) changed(c *circuit, from, to BreakerState) transition {
	if c.forgotten {
		return transition{}
	}
	change := transition{from: from, to: to, made: true}
	if b.cfg.onChange != nil {
		c.pending = append(c.pending, change)
	}
	return change
}

// report passes on a change of c that call made: the callback gets the
// changes queued so far, in order, and call's Trace gets this one. c.mu
// must not be held.
func (b *Breaker) report(call breakerCall, c *circuit, change transition) {
	if !change.made {
		return
	}
	if b.cfg.onChange != nil {
		b.deliver(call.key, c)
	}
	if t := traceFrom(call.ctx); t != nil && t.BreakerStateChange != nil {
		t.BreakerStateChange(BreakerStateChangeInfo{
			Network: call.network, Address: call.address, Key: call.key, From: change.from, To: change.to,
		})
	}
}

// deliver passes c's queued changes to the callback, one at a time and in
// order, without holding c.mu. If another goroutine is delivering already,
// it will pass on the changes queued meanwhile, so this one returns; if
// the callback panics, the next change delivers the rest.
func (b *Breaker) deliver(key string, c *circuit) {
	c.mu.Lock()
	if c.delivering {
		c.mu.Unlock()
		return
	}
	c.delivering = true
	locked := true
	defer func() {
		if !locked {
			c.mu.Lock()
		}
		c.delivering = false
		c.mu.Unlock()
	}()
	for len(c.pending) > 0 {
		change := c.pending[0]
		c.pending = c.pending[1:]
		if len(c.pending) == 0 {
			c.pending = nil
		}
		c.mu.Unlock()
		locked = false
		b.cfg.onChange(key, change.from, change.to)
		c.mu.Lock()
		locked = true
	}
}

// breakerCall is the dial a Breaker is deciding on.
type breakerCall struct {
	ctx                   context.Context
	network, address, key string
}
