package dialx

import (
	"context"
	"time"
)

// Event is one step of a dial, reported to a [Trace]. Op names who reports
// it, Kind what happened; each kind sets Network, Address and the fields below,
// and leaves the rest zero.
//
//	Op                         Kind        fields
//	dial                       start
//	dial                       done        Elapsed: the dial's duration; Err
//	repeat|consecutive|random  attempt     N: from 1; Of: planned; Elapsed: wait before it
//	balancer                   attempt     N: from 1; Of: planned
//	balancer                   chose       N: the member, from 0; Elapsed: its estimate
//	selective|guard            match       N: the rule's index; Detail: its pattern
//	concurrent                 start|won   N: the racer, from 0; Elapsed: since the race began
//	concurrent                 cancelled   N: a racer still dialing when the race ended
//	breaker                    refused     Detail: the circuit's key; To: its state
//	breaker                    state       Detail: the circuit's key; From, To
//	limit                      wait        (a dial starts waiting for a slot)
//	limit                      waited      Elapsed: the wait; Err: why it ended without one
//	delay                      wait        Elapsed: the delay
//	timeout                    fired       Elapsed: the timeout
//	httpproxy                  tunnel      Detail: the proxy; Elapsed: its dial and CONNECT; Err
//	resolve                    hit         Detail: the host (WithCache); Elapsed: the answer's age; Err: a failure kept
//	resolve                    miss        Detail: the host; N: 1 if it started the lookup, 0 if it shared one; Elapsed; Err
//	resolve                    stale       Detail: the host; Elapsed: the answer's age; Err: the lookup's failure
//	tls                        handshake   Detail: the server name; Elapsed: the handshake; Err
//	endpoint                   dial        Detail: the fixed address (Address is the one asked)
//	reload                     reloaded    Detail: the file; Elapsed: reading it and building its Dialer
//	reload                     rejected    Detail: the file; Elapsed; Err: why, the last good Dialer kept
//
// A "dial" is an innermost one (see [Dialer]), with the address the innermost
// Dialer gets: canonical behind a [Selective], an IP behind a [Resolve]. A
// "state" change is one this dial made. A "reload" is a [Reloading]'s, which
// sets no Network or Address. A Dialer of your own uses its own Op.
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
// [WithTrace]), with that ctx, as [net/http/httptrace.ClientTrace] does for an
// HTTP request. It runs on the goroutine that took the step, possibly on
// several at once, so it must be quick and safe for concurrent use. It should
// not panic: a panic reaches the caller only while the caller still waits.
// A dial whose ctx carries no Trace allocates nothing for tracing.
type Trace func(ctx context.Context, e Event)

type traceKey struct{}

// WithTrace returns a copy of ctx that carries trace, so that dials made with
// it report to trace, then to the Trace ctx carried already, if any. It panics
// if trace is nil.
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

// ContextTrace returns the Trace that ctx carries, or nil: where a Dialer of
// your own reports its Events.
func ContextTrace(ctx context.Context) Trace {
	t, _ := ctx.Value(traceKey{}).(Trace)
	return t
}
