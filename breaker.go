package dialx

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"
)

// Breaker is a circuit breaker in front of a Dialer: it keeps one circuit per
// destination and, once a destination has failed enough, refuses dials to it
// at once instead of letting every caller wait for a dial that will fail.
//
// A circuit starts closed: dials go through and their outcomes are counted.
// It opens after a run of consecutive failures (5 by default, see
// [WithConsecutiveFailures]) or when the share of failed dials over a sliding
// window reaches a ratio ([WithFailureRatio], off by default). While it is
// open, dials fail at once with a [*DialError] that matches [ErrOpen]. After
// a cool-down it turns half-open: exactly one probe dial goes through, and
// every other dial is refused until the probe ends. A probe that succeeds
// closes the circuit; one that fails opens it again for a longer cool-down.
// The cool-downs follow a [Backoff] ([WithBackoff]): by default 5 s,
// doubling up to 2 min, with ±20 % jitter so that many clients do not probe
// a recovering server in lock step.
//
// Only the backend's failures count: a dial that fails after the caller's own
// ctx is done (cancelled, or its deadline passed) says nothing about the
// destination and is ignored, and a probe ended that way leaves the next dial
// to probe. So are the refusals made without touching the network, those
// matching [ErrRejected], [ErrNoMatch], [ErrInvalidAddress] or [ErrOpen]
// (a [Reject] or [Selective] inside the Breaker, or another Breaker): a
// destination that a policy refuses is refused with the policy's error, not
// with ErrOpen. To count slow dials as failures, put a [Timeout] inside the
// Breaker. A probe that never returns keeps the circuit half-open, which is
// one more reason to bound the inner dial.
//
// Circuits are keyed by the dialed address unless [WithKey] says otherwise.
// Memory stays bounded: a circuit not dialed for 10 minutes is forgotten, and
// at most 10,000 are kept ([WithForget]). A [Trace] in the dial's ctx sees
// every change of state; to watch them all, wrap the Breaker in a
// [DialerFunc] that adds the Trace to every ctx (see the example). While a
// circuit is closed, a dial costs a lock-free map lookup, one read of the
// monotonic clock and a few atomic loads; it takes no lock and allocates
// nothing.
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

// NewBreaker returns a Breaker that dials through d, configured by opts:
// [WithConsecutiveFailures], [WithFailureRatio], [WithBackoff], [WithKey],
// [WithForget]. It panics if d is nil or if the options leave no rule to
// open a circuit.
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
		panic("dialx: NewBreaker: no rule opens a circuit, got WithConsecutiveFailures(0) and no WithFailureRatio")
	}
	b := &Breaker{
		dialer: d,
		cfg:    cfg,
		start:  time.Now(),
	}
	b.grain, b.quietAfter, b.sweepGap = forgetTimes(cfg.forgetAfter)
	return b
}

// DialContext dials address on network through the inner Dialer, unless the
// circuit of the destination is open, in which case it fails at once with an
// error matching [ErrOpen].
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
	}
	conn, err := dialInnerTraced(ctx, call.trace, b.dialer, network, address)
	if err == nil && conn == nil {
		// A broken inner Dialer is a failure of the destination's route,
		// not a success to count.
		err = &DialError{Op: "breaker", Net: network, Addr: address, Err: errNoConn}
	}
	b.record(call, c, probe, err)
	return passOn("breaker", network, address, conn, err)
}

// Dial is DialContext with [context.Background].
func (b *Breaker) Dial(network, address string) (net.Conn, error) {
	return b.DialContext(context.Background(), network, address)
}

// State reports the state of the circuit that a dial of address on network
// would use. Destinations the Breaker does not track (never dialed, or
// forgotten) are closed.
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

// BreakerState is the state of one circuit of a [Breaker], a plain value safe
// for concurrent use.
type BreakerState int

const (
	// BreakerClosed lets dials through and counts their failures.
	BreakerClosed BreakerState = iota
	// BreakerOpen refuses dials at once until its cool-down has passed.
	BreakerOpen
	// BreakerHalfOpen lets one probe dial through and refuses the others.
	BreakerHalfOpen
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
