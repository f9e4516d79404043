package dialx

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dialx/dialx/rules"
)

// circuit is what a Breaker keeps for one destination. The fields read on
// every dial are atomics; state changes are made under mu, so that they are
// made in order. No Trace is ever called under mu, so a Trace may dial
// through the Breaker; a Backoff is (for the cool-down), so it must not.
type circuit struct {
	state     atomic.Int32 // a BreakerState
	failures  atomic.Int32 // consecutive failures while closed
	probing   atomic.Bool  // the half-open probe is in flight
	lastUsed  atomic.Int64 // the Breaker.now instant of a recent dial: see touch
	openUntil atomic.Int64 // the Breaker.now instant the cool-down ends
	outcomes  *window      // successes and failures; nil unless WithFailureRatio is set

	mu        sync.Mutex
	trips     int  // openings since the circuit was last closed
	forgotten bool // dropped from the Breaker: its changes go unreported
}

// The kinds of dial outcome a circuit's window counts.
const (
	succeeded = iota
	failed
)

// admit decides whether a dial may go through a circuit that was not closed
// when the dial looked at it, at now, the instant the dial read; probe
// reports that the dial is the one probe of a half-open circuit.
func (b *Breaker) admit(call breakerCall, c *circuit, now time.Duration) (probe, admitted bool) {
	for {
		switch BreakerState(c.state.Load()) {
		case BreakerClosed:
			return false, true
		case BreakerHalfOpen:
			if c.probing.Load() {
				return false, false
			}
		case BreakerOpen:
			if now < time.Duration(c.openUntil.Load()) {
				return false, false
			}
		}
		probe, admitted, again, change := b.admitLocked(c)
		if change.made {
			b.reportProbe(call, c, change)
		}
		if !again {
			return probe, admitted
		}
	}
}

// admitLocked is the part of admit made under c.mu; again reports that the
// circuit closed meanwhile, so the dial should look again.
func (b *Breaker) admitLocked(c *circuit) (probe, admitted, again bool, change transition) {
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

// record counts the outcome of a dial that went through c and was not its
// probe (see dialProbe).
func (b *Breaker) record(call breakerCall, c *circuit, err error) {
	if err == nil {
		if c.failures.Load() != 0 {
			c.failures.Store(0)
		}
		if c.outcomes != nil {
			c.outcomes.add(b.tick(), succeeded)
		}
		return
	}
	if call.ctx.Err() != nil || BreakerState(c.state.Load()) != BreakerClosed || refusal(err) {
		// The caller gave up, the circuit opened while this dial was out,
		// or the dial never reached the network: the failure adds nothing.
		return
	}
	trip := false
	if n := int(c.failures.Add(1)); b.cfg.consecutive > 0 && n >= b.cfg.consecutive {
		trip = true
	}
	if c.outcomes != nil {
		tick := b.tick()
		c.outcomes.add(tick, failed)
		if !trip {
			successes, failures := c.outcomes.counts(tick)
			total := successes + failures
			trip = total >= int64(b.cfg.minDials) && float64(failures) >= b.cfg.ratio*float64(total)
		}
	}
	if trip {
		b.report(call, b.trip(c))
	}
}

// refusal reports whether err is one of the refusals this package makes
// without touching the network, which say nothing of the destination's
// health: a Reject's, a Selective's, or an inner Breaker's.
func refusal(err error) bool {
	return errors.Is(err, ErrRejected) || errors.Is(err, ErrNoMatch) ||
		errors.Is(err, rules.ErrInvalidAddress) || errors.Is(err, ErrOpen)
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
		if c.outcomes != nil {
			c.outcomes.reset()
		}
		c.trips = 0
		c.state.Store(int32(BreakerClosed))
		c.probing.Store(false)
		return b.changed(c, BreakerHalfOpen, BreakerClosed)
	case call.ctx.Err() != nil || refusal(err):
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

// tick is the tick of the failure ratio's window the present falls into.
func (b *Breaker) tick() int64 {
	return windowTick(b.now(), b.cfg.window)
}

// breakerCall is the dial a Breaker is deciding on.
type breakerCall struct {
	ctx                   context.Context
	network, address, key string
	trace                 Trace // ctx's, looked up once per dial
}
