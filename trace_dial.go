package dialx

import (
	"context"
	"net"
	"time"
)

// dialInner is how a decorator hands a dial to its inner Dialer d: when d
// passes dials on (it has an Unwrap method), d reports for itself and
// nothing is looked up; otherwise the dial is an innermost one, framed for
// the ctx's Trace if there is one.
func dialInner(ctx context.Context, d Dialer, network, address string) (net.Conn, error) {
	if _, ok := d.(unwrapper); !ok {
		if t := ContextTrace(ctx); t != nil {
			return dialFramed(ctx, t, d, network, address)
		}
	}
	return d.DialContext(ctx, network, address)
}

// dialInnerTraced is dialInner for a decorator that has looked up the
// ctx's Trace, t (nil for none), already.
func dialInnerTraced(ctx context.Context, t Trace, d Dialer, network, address string) (net.Conn, error) {
	if t != nil {
		if _, ok := d.(unwrapper); !ok {
			return dialFramed(ctx, t, d, network, address)
		}
	}
	return d.DialContext(ctx, network, address)
}

// dialFramed makes an innermost dial between a "dial" start and done event.
func dialFramed(ctx context.Context, t Trace, d Dialer, network, address string) (net.Conn, error) {
	t(ctx, Event{Op: "dial", Kind: "start", Network: network, Address: address})
	start := time.Now()
	conn, err := d.DialContext(ctx, network, address)
	t(ctx, Event{Op: "dial", Kind: "done", Network: network, Address: address, Elapsed: time.Since(start), Err: err})
	return conn, err
}
