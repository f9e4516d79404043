package dialx

import (
	"context"
	"sync/atomic"
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
// and quick. A hook should not panic: on a goroutine a decorator started
// (a racer of a [Concurrent]) the panic is raised again on the caller's
// goroutine only while the caller still waits for that goroutine, and is
// dropped after that.
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
	// [Breaker]'s circuit, on that dial's goroutine, with no lock held.
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
