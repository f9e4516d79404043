package dialx

import (
	"context"
	"net"
	"sync/atomic"
	"time"
)

// Trace is a set of hooks that the decorators of this package call, while a
// dial runs, to report what they decided; attach it to the dial's ctx with
// [WithTrace]. It plays for a stack of decorators the part that
// [net/http/httptrace.ClientTrace] plays for an HTTP request.
//
// Any hook may be nil; it is then skipped. Hooks run synchronously on the
// goroutine that made the decision, and may be called from several
// goroutines at once (the racers of a [Concurrent], a [Timeout] that gave
// up while the inner dial goes on), so they must be safe for concurrent use,
// and quick. A hook must not panic: the panic would unwind the goroutine
// that called it, which may be one a decorator started (a racer of a
// [Concurrent]), where nothing can recover it.
//
// The innermost dial is the one a decorator of this package hands to a
// Dialer that is not one of its decorators (a *net.Dialer, a proxy, a
// [DialerFunc]): DialStart and DialDone frame each such dial. No wrapper is
// needed to get them; a Dialer of your own that wraps a decorator is itself
// framed as an innermost dial.
//
// When no Trace is attached, a decorator spends at most one ctx.Value lookup
// per dial on tracing, and allocates nothing for it; until a program first
// calls WithTrace, it spends not even that.
type Trace struct {
	// DialStart is called before an innermost dial starts.
	DialStart func(DialStartInfo)
	// DialDone is called when an innermost dial has returned.
	DialDone func(DialDoneInfo)

	// Attempt is called before each attempt of a [Repeat], [Consecutive]
	// or [Random], after the wait that precedes it.
	Attempt func(AttemptInfo)
	// SelectiveMatch is called when a [Selective] has found the rule for
	// a dial.
	SelectiveMatch func(SelectiveMatchInfo)
	// ConcurrentStart is called as each racer of a [Concurrent] starts.
	ConcurrentStart func(ConcurrentStartInfo)
	// ConcurrentWon is called when a racer of a [Concurrent] has won.
	ConcurrentWon func(ConcurrentWonInfo)
	// ConcurrentCancelled is called for each racer still running when a
	// [Concurrent] cancels it, because another won or the caller gave up.
	ConcurrentCancelled func(ConcurrentCancelledInfo)
	// BreakerRefused is called when a [Breaker] refuses a dial.
	BreakerRefused func(BreakerRefusedInfo)
	// BreakerStateChange is called when a dial changes the state of a
	// [Breaker]'s circuit, while the circuit is locked, as the callback of
	// [WithStateChange] is: it must not dial through the same Breaker.
	BreakerStateChange func(BreakerStateChangeInfo)
	// LimitWaitStart is called when a dial has to wait for a slot of a
	// Limit, and LimitWaitDone when the wait is over.
	LimitWaitStart func(LimitWaitStartInfo)
	LimitWaitDone  func(LimitWaitDoneInfo)
	// DelayWait is called when a [Delay] starts waiting.
	DelayWait func(DelayWaitInfo)
	// TimeoutFired is called when a [Timeout] gives up on a dial.
	TimeoutFired func(TimeoutFiredInfo)
}

// DialStartInfo describes an innermost dial that is starting.
// It is a plain value, safe to keep and to share between goroutines.
type DialStartInfo struct {
	Network, Address string
}

// DialDoneInfo describes an innermost dial that has returned.
// It is a plain value, safe to keep and to share between goroutines.
type DialDoneInfo struct {
	Network, Address string
	Duration         time.Duration // from DialStart
	Err              error         // nil on success
}

// AttemptInfo describes an attempt of a [Repeat], [Consecutive] or [Random].
// It is a plain value, safe to keep and to share between goroutines.
type AttemptInfo struct {
	Op               string // "repeat", "consecutive" or "random"
	Network, Address string
	Attempt          int           // from 1
	Of               int           // attempts planned
	Wait             time.Duration // waited before this attempt
}

// SelectiveMatchInfo describes the rule a [Selective] chose.
// It is a plain value, safe to keep and to share between goroutines.
type SelectiveMatchInfo struct {
	Network, Address string
	Index            int    // in the list given to NewSelective
	Pattern          string // the rule's pattern
}

// ConcurrentStartInfo describes a racer of a [Concurrent] that starts.
// It is a plain value, safe to keep and to share between goroutines.
type ConcurrentStartInfo struct {
	Network, Address string
	Racer            int           // index of its Dialer, from 0
	After            time.Duration // since the race began
}

// ConcurrentWonInfo describes the racer of a [Concurrent] that won.
// It is a plain value, safe to keep and to share between goroutines.
type ConcurrentWonInfo struct {
	Network, Address string
	Racer            int
	After            time.Duration // since the race began
}

// ConcurrentCancelledInfo describes a racer of a [Concurrent] cancelled
// while it was still dialing.
// It is a plain value, safe to keep and to share between goroutines.
type ConcurrentCancelledInfo struct {
	Network, Address string
	Racer            int
}

// BreakerRefusedInfo describes a dial that a [Breaker] refused.
// It is a plain value, safe to keep and to share between goroutines.
type BreakerRefusedInfo struct {
	Network, Address string
	Key              string       // the circuit's key
	State            BreakerState // open, or half-open with its probe out
}

// BreakerStateChangeInfo describes a change of state of a [Breaker]'s
// circuit, made by the dial being traced.
// It is a plain value, safe to keep and to share between goroutines.
type BreakerStateChangeInfo struct {
	Network, Address string
	Key              string
	From, To         BreakerState
}

// LimitWaitStartInfo describes a dial that starts waiting for a slot.
// It is a plain value, safe to keep and to share between goroutines.
type LimitWaitStartInfo struct {
	Network, Address string
}

// LimitWaitDoneInfo describes the end of a wait for a slot.
// It is a plain value, safe to keep and to share between goroutines.
type LimitWaitDoneInfo struct {
	Network, Address string
	Waited           time.Duration
	Err              error // nil when a slot was obtained
}

// DelayWaitInfo describes the wait of a [Delay].
// It is a plain value, safe to keep and to share between goroutines.
type DelayWaitInfo struct {
	Network, Address string
	Wait             time.Duration
}

// TimeoutFiredInfo describes a dial that a [Timeout] gave up on.
// It is a plain value, safe to keep and to share between goroutines.
type TimeoutFiredInfo struct {
	Network, Address string
	After            time.Duration
}

type traceKey struct{}

// tracing latches once any Trace has been attached to a ctx. Until then no
// decorator looks for one, so a program that never traces pays one atomic
// load per decorator for tracing, and nothing else.
var tracing atomic.Bool

// WithTrace returns a ctx derived from ctx that carries trace, so that dials
// made with it report to trace's hooks. If ctx already carries a Trace, the
// hooks of both are called, trace's first.
// It panics if trace is nil, as [net/http/httptrace.WithClientTrace] does.
func WithTrace(ctx context.Context, trace *Trace) context.Context {
	if trace == nil {
		panic("dialx: WithTrace: trace must not be nil, got nil")
	}
	tracing.Store(true)
	if old := traceFrom(ctx); old != nil {
		trace = trace.joined(old)
	}
	return context.WithValue(ctx, traceKey{}, trace)
}

// ContextTrace returns the Trace that ctx carries, or nil.
func ContextTrace(ctx context.Context) *Trace {
	return traceFrom(ctx)
}

func traceFrom(ctx context.Context) *Trace {
	if !tracing.Load() {
		return nil
	}
	return lookupTrace(ctx)
}

// lookupTrace is kept out of line so that traceFrom, which guards it, is
// inlined into every decorator.
//
//go:noinline
func lookupTrace(ctx context.Context) *Trace {
	t, _ := ctx.Value(traceKey{}).(*Trace)
	return t
}

// joined returns a Trace whose hooks call t's, then old's.
func (t *Trace) joined(old *Trace) *Trace {
	return &Trace{
		DialStart:           join(t.DialStart, old.DialStart),
		DialDone:            join(t.DialDone, old.DialDone),
		Attempt:             join(t.Attempt, old.Attempt),
		SelectiveMatch:      join(t.SelectiveMatch, old.SelectiveMatch),
		ConcurrentStart:     join(t.ConcurrentStart, old.ConcurrentStart),
		ConcurrentWon:       join(t.ConcurrentWon, old.ConcurrentWon),
		ConcurrentCancelled: join(t.ConcurrentCancelled, old.ConcurrentCancelled),
		BreakerRefused:      join(t.BreakerRefused, old.BreakerRefused),
		BreakerStateChange:  join(t.BreakerStateChange, old.BreakerStateChange),
		LimitWaitStart:      join(t.LimitWaitStart, old.LimitWaitStart),
		LimitWaitDone:       join(t.LimitWaitDone, old.LimitWaitDone),
		DelayWait:           join(t.DelayWait, old.DelayWait),
		TimeoutFired:        join(t.TimeoutFired, old.TimeoutFired),
	}
}

func join[Info any](first, then func(Info)) func(Info) {
	switch {
	case first == nil:
		return then
	case then == nil:
		return first
	}
	return func(i Info) {
		first(i)
		then(i)
	}
}

// dialInner is how a decorator hands a dial to its inner Dialer: when that
// Dialer is not one of this package's decorators, the dial is an innermost
// one and is reported to the ctx's Trace, if any.
//
// It costs a function call, which the decorators that dial on the caller's
// goroutine avoid by writing its two branches out: they call dialTraced
// while tracing (or when they hold a Trace) and d.DialContext otherwise.
func dialInner(ctx context.Context, d Dialer, network, address string) (net.Conn, error) {
	if tracing.Load() {
		return dialTraced(ctx, nil, d, network, address)
	}
	return d.DialContext(ctx, network, address)
}

// dialInnerTraced is dialInner for a decorator that has looked up the
// ctx's Trace (t, possibly nil) already.
func dialInnerTraced(ctx context.Context, t *Trace, d Dialer, network, address string) (net.Conn, error) {
	if t != nil {
		return dialTraced(ctx, t, d, network, address)
	}
	return d.DialContext(ctx, network, address)
}

// dialTraced frames an innermost dial with DialStart and DialDone; t is the
// ctx's Trace, looked up here if nil.
func dialTraced(ctx context.Context, t *Trace, d Dialer, network, address string) (net.Conn, error) {
	if isDecorator(d) {
		return d.DialContext(ctx, network, address)
	}
	if t == nil {
		t = lookupTrace(ctx)
	}
	if t == nil || t.DialStart == nil && t.DialDone == nil {
		return d.DialContext(ctx, network, address)
	}
	if t.DialStart != nil {
		t.DialStart(DialStartInfo{Network: network, Address: address})
	}
	start := time.Now()
	conn, err := d.DialContext(ctx, network, address)
	if t.DialDone != nil {
		t.DialDone(DialDoneInfo{Network: network, Address: address, Duration: time.Since(start), Err: err})
	}
	return conn, err
}

// isDecorator reports whether d is one of this package's decorators, which
// report for themselves and pass the dial on. Reject is left out on purpose:
// it is where a dial ends, so its refusal shows as a DialStart/DialDone pair.
func isDecorator(d Dialer) bool {
	switch d.(type) {
	case *Repeat, *Timeout, *Delay, *Swappable, *Consecutive, *Random, *Concurrent, *Selective,
		*Breaker, *Limit, *Resolve:
		return true
	}
	return false
}
