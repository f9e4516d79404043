package dialx

import (
	"context"
	"net"
	"time"
)

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
		*Breaker, *Limit, *Resolve, *Guard:
		return true
	}
	return false
}
