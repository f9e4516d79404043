package dialx

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
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
// a cool-down (see [WithCoolDown]) it turns half-open: exactly one probe dial
// goes through, and every other dial is refused until the probe ends. A
// probe that succeeds closes the circuit; one that fails opens it again for a
// longer cool-down, which grows exponentially up to a cap, with ±20 % jitter
// so that many clients do not probe a recovering server in lock step.
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
// Circuits are keyed by the dialed address unless [WithBreakerKey] says
// otherwise. Memory stays bounded: circuits of destinations that have not
// been dialed for a while are forgotten ([WithForgetAfter]), and there are at
// most a set number of them ([WithMaxDestinations]). State changes can be
// watched with [WithStateChange]. While a circuit is closed, a dial costs a
// lock-free map lookup, one read of the monotonic clock and a few atomic
// loads; it takes no lock and allocates nothing.
//
// Use [NewBreaker] to make one; the zero value is not usable.
// A Breaker is safe for concurrent use by multiple goroutines.
type Breaker struct {
	dialer Dialer
	cfg    breakerConfig
	start  time.Time // the origin of the monotonic instants circuits store

	circuits sync.Map // key → *circuit

	// From WithForgetAfter, see breaker_forget.go: how far the instant a
	// circuit stores may lag its latest dial, how old that instant must be
	// for the circuit to be quiet, and how long sweeps are apart at least.
	grain, quietAfter, sweepGap time.Duration

	mu        sync.Mutex // serialises adding and forgetting circuits
	tracked   int        // circuits held
	lastSweep time.Duration

	randMu sync.Mutex
}

// BreakerOption configures a [Breaker]; pass options to [NewBreaker].
// Options are immutable values, safe to share between goroutines and
// constructors.
type BreakerOption interface {
	applyBreaker(*breakerConfig)
}

type breakerConfig struct {
	key             func(network, address string) string
	consecutive     int
	ratio           float64
	window          time.Duration
	minDials        int
	baseCoolDown    time.Duration
	maxCoolDown     time.Duration
	onChange        func(key string, from, to BreakerState)
	forgetAfter     time.Duration
	maxDestinations int
	rand            func() float64 // nil: math/rand/v2
}

// Defaults of a [Breaker].
const (
	DefaultConsecutiveFailures = 5
	DefaultBaseCoolDown        = 5 * time.Second
	DefaultMaxCoolDown         = 2 * time.Minute
	DefaultForgetAfter         = 10 * time.Minute
	DefaultMaxDestinations     = 10000
	coolDownJitter             = 0.2
)

// NewBreaker returns a Breaker that dials through d.
// It panics if d is nil or if the options leave no rule to open a circuit.
func NewBreaker(d Dialer, opts ...BreakerOption) *Breaker {
	mustDialer("NewBreaker", d)
	cfg := breakerConfig{
		consecutive:     DefaultConsecutiveFailures,
		baseCoolDown:    DefaultBaseCoolDown,
		maxCoolDown:     DefaultMaxCoolDown,
		forgetAfter:     DefaultForgetAfter,
		maxDestinations: DefaultMaxDestinations,
	}
	for _, o := range opts {
		o.applyBreaker(&cfg)
	}
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
// in a row: the base doubled per trip, capped, then jittered by ±20 %. It
// saturates rather than overflow, so that a huge WithCoolDown never turns
// into a negative cool-down that would let every dial through.
func (b *Breaker) coolDown(trips int) time.Duration {
	d := b.cfg.baseCoolDown
	for i := 1; i < trips && d < b.cfg.maxCoolDown; i++ {
		if d > b.cfg.maxCoolDown/2 {
			d = b.cfg.maxCoolDown
			break
		}
		d *= 2
	}
	d = min(d, b.cfg.maxCoolDown)
	var u float64
	if b.cfg.rand != nil {
		b.randMu.Lock()
		u = b.cfg.rand()
		b.randMu.Unlock()
	} else {
		u = rand.Float64()
	}
	jittered := float64(d) * (1 + coolDownJitter*(2*u-1))
	if jittered >= math.MaxInt64 { // float64(math.MaxInt64) is 2⁶³, out of range
		return math.MaxInt64
	}
	return time.Duration(jittered)
}

// BreakerState is the state of one circuit of a [Breaker]. It is a plain
// value, safe to copy and read from any goroutine.
type BreakerState int32

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
	return fmt.Sprintf("BreakerState(%d)", int32(s))
}
