package dialx

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"
)

// Breaker is a circuit breaker: once a destination has failed enough, it
// refuses dials to it at once, with a [*DialError] matching [ErrOpen].
//
// Each destination (its address, or [WithKey]) has a circuit that opens after
// 5 failures in a row ([WithConsecutiveFailures]) or at a failure ratio
// ([WithFailureRatio]). After a cool-down ([WithBackoff]) one probe dial goes
// through while the others are refused: its success closes the circuit, its
// failure opens it again for longer. Only the destination's failures count:
// not a dial whose own ctx ended, nor a refusal made without the network
// ([ErrRejected], [ErrNoMatch], [rules.ErrInvalidAddress], ErrOpen). Put a
// [Timeout] inside to count slow dials and bound the probe. Idle circuits are
// forgotten ([WithForget]). The dial's [Trace] sees each change of state.
//
// Use [NewBreaker] to make one; the zero value is not usable.
// A Breaker is safe for concurrent use by multiple goroutines.
type Breaker struct {
	dialer Dialer
	cfg    settings
	start  time.Time // the origin of the monotonic instants circuits store

	circuits sync.Map // key → *circuit

	// From WithForget, see breaker_forget.go: how far the instant a
	// circuit stores may lag its latest dial, how old that instant must be
	// for the circuit to be quiet, and how long sweeps are apart at least.
	grain, quietAfter, sweepGap time.Duration

	mu        sync.Mutex // serialises adding and forgetting circuits
	tracked   int        // circuits held
	lastSweep time.Duration
}

// NewBreaker returns a Breaker that dials through d. It panics if d is nil or
// if opts leave no rule to open a circuit.
func NewBreaker(d Dialer, opts ...Option) *Breaker {
	mustDialer("NewBreaker", d)
	cfg := settings{
		backoff:         defaultCoolDown,
		consecutive:     defaultConsecutiveFailures,
		forgetAfter:     defaultForgetAfter,
		maxDestinations: defaultMaxDestinations,
	}
	cfg.apply("NewBreaker", takenByBreaker, opts)
	if cfg.consecutive == 0 && cfg.ratio == 0 {
		panic("dialx: NewBreaker: some option must open a circuit, got WithConsecutiveFailures(0) and no WithFailureRatio")
	}
	b := &Breaker{
		dialer: d,
		cfg:    cfg,
		start:  time.Now(),
	}
	b.grain, b.quietAfter, b.sweepGap = forgetTimes(cfg.forgetAfter)
	return b
}

// DialContext dials through the inner Dialer unless the circuit is open.
func (b *Breaker) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if err := ctx.Err(); err != nil {
		// The caller gave up: no dial, and nothing to count for the circuit.
		return nil, &DialError{Op: "breaker", Net: network, Addr: address, Err: err}
	}
	key := address
	if b.cfg.key != nil {
		key = b.cfg.key(network, address)
	}
	c := b.circuit(key)
	now := b.now()
	c.touch(now, b.grain)
	call := breakerCall{ctx: ctx, network: network, address: address, key: key, trace: ContextTrace(ctx)}
	probe := false
	if BreakerState(c.state.Load()) != BreakerClosed {
		var admitted bool
		if probe, admitted = b.admit(call, c, now); !admitted {
			if call.trace != nil {
				call.trace(ctx, Event{Op: "breaker", Kind: "refused", Network: network, Address: address,
					Detail: key, To: BreakerState(c.state.Load())})
			}
			return nil, &DialError{Op: "breaker", Net: network, Addr: address, Err: ErrOpen}
		}
		if probe {
			return b.dialProbe(call, c)
		}
	}
	conn, err := b.dialInner(call)
	b.record(call, c, err)
	return passOn("breaker", network, address, conn, err)
}

// dialProbe makes the one probe dial of a half-open circuit. Should the
// dial or a Trace panic before the probe's outcome settles the circuit, the
// probe is withdrawn on the way out, so that the next dial probes instead of
// every dial being refused for good.
func (b *Breaker) dialProbe(call breakerCall, c *circuit) (net.Conn, error) {
	settled := false
	defer func() {
		if !settled {
			c.mu.Lock()
			c.probing.Store(false)
			c.mu.Unlock()
		}
	}()
	conn, err := b.dialInner(call)
	change := b.settle(call, c, err)
	settled = true
	b.report(call, change)
	return passOn("breaker", call.network, call.address, conn, err)
}

// dialInner dials through the inner Dialer, counting a nil conn without an
// error as a failure: a broken inner Dialer is a failure of the route, not a
// success.
func (b *Breaker) dialInner(call breakerCall) (net.Conn, error) {
	conn, err := dialInnerTraced(call.ctx, call.trace, b.dialer, call.network, call.address)
	if err == nil && conn == nil {
		err = &DialError{Op: "breaker", Net: call.network, Addr: call.address, Err: errNoConn}
	}
	return conn, err
}

// Dial is DialContext with [context.Background].
func (b *Breaker) Dial(network, address string) (net.Conn, error) {
	return b.DialContext(context.Background(), network, address)
}

// State reports the state of the circuit a dial would use; closed if none.
func (b *Breaker) State(network, address string) BreakerState {
	key := address
	if b.cfg.key != nil {
		key = b.cfg.key(network, address)
	}
	if c, ok := b.circuits.Load(key); ok {
		return BreakerState(c.(*circuit).state.Load())
	}
	return BreakerClosed
}

// now is the time since the Breaker was made, on the monotonic clock.
func (b *Breaker) now() time.Duration { return time.Since(b.start) }

// coolDown returns how long a circuit stays open after its trips-th opening
// in a row.
func (b *Breaker) coolDown(trips int) time.Duration {
	return max(b.cfg.backoff.Backoff(trips), 0)
}

// BreakerState is the state of a [Breaker]'s circuit. A BreakerState is safe
// for concurrent use by multiple goroutines.
type BreakerState int

const (
	BreakerClosed   BreakerState = iota // dials go through; failures count
	BreakerOpen                         // dials are refused until the cool-down ends
	BreakerHalfOpen                     // one probe goes through; the others are refused
)

// String returns "closed", "open" or "half-open".
func (s BreakerState) String() string {
	switch s {
	case BreakerClosed:
		return "closed"
	case BreakerOpen:
		return "open"
	case BreakerHalfOpen:
		return "half-open"
	}
	return fmt.Sprintf("BreakerState(%d)", int(s))
}
