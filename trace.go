package dialx

import (
	"context"
	"time"
)

// Event is one step of a dial, reported to a [Trace]. Op names who reports
// it, Kind what happened; of the other fields, each kind sets those below
// and leaves the rest zero.
//
//	Op                         Kind        fields
//	dial                       start       Network, Address (all kinds set these)
//	dial                       done        Elapsed: the dial's duration; Err
//	repeat|consecutive|random  attempt     N: from 1; Of: planned; Elapsed: wait before it
//	selective|guard            match       N: the rule's index; Detail: its pattern
//	concurrent                 start|won   N: the racer, from 0; Elapsed: since the race began
//	concurrent                 cancelled   N: a racer still dialing when the race ended
//	breaker                    refused     Detail: the circuit's key; To: its state
//	breaker                    state       Detail: the circuit's key; From, To
//	limit                      wait        (a dial starts waiting for a slot)
//	limit                      waited      Elapsed: the wait; Err: why it ended without one
//	delay                      wait        Elapsed: the delay
//	timeout                    fired       Elapsed: the timeout
//
// A "dial" is an innermost dial, its address the one the innermost Dialer
// gets (canonical behind a [Selective], an IP behind a [Resolve]). A
// "state" change is one this dial made. A decorator of your own reports
// under an Op of its own.
type Event struct {
	Op, Kind         string
	Network, Address string
	N, Of            int
	Elapsed          time.Duration
	Detail           string
	From, To         BreakerState
	Err              error
}

// Trace receives each [Event] of the dials whose ctx carries it (see
// [WithTrace]), with that ctx, so that it can read the values a request
// put there. It plays for a stack of decorators the part that
// [net/http/httptrace.ClientTrace] plays for an HTTP request.
//
// A Trace runs on the goroutine that took the step, possibly on several at
// once (the racers of a [Concurrent], a [Timeout] that gave up while the
// inner dial goes on), so it must be safe for concurrent use, and quick. It
// should not panic: the panic of a racer reaches the caller only while the
// caller still waits for that racer.
//
// The innermost dials, which a decorator hands to a Dialer without an
// Unwrap method (see [Dialer]), are framed by "dial" start and done
// events. Without a Trace in ctx, tracing costs a decorator no allocation
// and, on a dial that succeeds, at most one ctx.Value lookup.
type Trace func(ctx context.Context, e Event)

type traceKey struct{}

// WithTrace returns a ctx derived from ctx that carries trace, so that
// dials made with it report to trace. If ctx carries a Trace already, both
// get every Event, trace first.
// It panics if trace is nil, as [net/http/httptrace.WithClientTrace] does.
func WithTrace(ctx context.Context, trace Trace) context.Context {
	if trace == nil {
		panic("dialx: WithTrace: trace must not be nil, got nil")
	}
	if old := ContextTrace(ctx); old != nil {
		first := trace
		trace = func(ctx context.Context, e Event) {
			first(ctx, e)
			old(ctx, e)
		}
	}
	return context.WithValue(ctx, traceKey{}, trace)
}

// ContextTrace returns the Trace that ctx carries, or nil. A decorator of
// your own reports its Events to it.
func ContextTrace(ctx context.Context) Trace {
	t, _ := ctx.Value(traceKey{}).(Trace)
	return t
}
