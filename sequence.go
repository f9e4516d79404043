package dialx

import (
	"context"
	"errors"
	"net"
	"time"
)

// dialInTurn makes up to planned attempts one after another, the i-th
// (from 0) with the Dialer that next(i) returns, or with dialer if next is
// nil, and returns the first connection. Repeat, Consecutive and Random
// differ only in their Dialers and in policy.
//
// policy, if not nil, is told of the first attempt and asked ahead of each
// later one, with the error of the attempt before it, whether to go on; it
// may wait first (the options of a Repeat). It is never asked once ctx is
// done: dialInTurn starts no attempt then.
//
// An attempt that returns neither a connection nor an error has failed.
// Only the first and last few attempt errors are kept (see attemptErrors),
// so that planned may be huge (a Repeat of math.MaxInt tries, until ctx
// ends). On the success path it allocates nothing.
func dialInTurn(ctx context.Context, op, noun, network, address string, planned int,
	dialer Dialer, next func(i int) Dialer, policy *retryPolicy) (net.Conn, error) {
	var errs attemptErrors
	var last error
	t := ContextTrace(ctx)
	for i := 0; i < planned; i++ {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, &DialError{Op: op, Net: network, Addr: address, Err: stopped(ctxErr, i, planned, noun, &errs)}
		}
		var wait time.Duration
		switch {
		case policy == nil:
		case i == 0:
			policy.first()
		default:
			var stop error
			if wait, stop = policy.beforeRetry(ctx, i, last); stop != nil {
				return nil, &DialError{Op: op, Net: network, Addr: address, Err: stopped(stop, i, planned, noun, &errs)}
			}
		}

		// Every attempt starts here.
		d := dialer
		if next != nil {
			d = next(i)
		}
		if t != nil {
			t(ctx, Event{Op: op, Kind: "attempt", Network: network, Address: address, N: i + 1, Of: planned, Elapsed: wait})
		}
		conn, err := dialInnerTraced(ctx, t, d, network, address)
		switch {
		case err == nil && conn != nil:
			return conn, nil
		case err == nil:
			err = errNoConn
		default:
			closeStray(conn)
		}
		errs.add(i, err)
		last = err
	}
	cause := allFailed(noun, &errs)
	if ctxErr := ctx.Err(); ctxErr != nil {
		// The last attempt failed because ctx ended: say so, so that
		// errors.Is(err, ctx.Err()) holds whatever the inner error was.
		cause = stopped(ctxErr, planned, planned, noun, &errs)
	}
	return nil, &DialError{Op: op, Net: network, Addr: address, Err: cause}
}

// errNoConn is the cause of an inner dial that returned neither a
// connection nor an error, against the Dialer contract: taken for a
// success, it would hand the caller a nil net.Conn.
var errNoConn = errors.New("inner Dialer returned no connection and no error")

// closeStray closes a connection that an inner Dialer returned together with
// an error, against the Dialer contract; it must not leak.
func closeStray(conn net.Conn) {
	if conn != nil {
		conn.Close()
	}
}

// passOn returns what an inner Dialer returned to a decorator that hands a
// dial straight on, named by op, network and address, so that the decorator
// keeps the Dialer contract whatever the inner Dialer did: a connection that
// came together with an error is closed, and no connection without an
// error is an error of the decorator's own.
func passOn(op, network, address string, conn net.Conn, err error) (net.Conn, error) {
	switch {
	case err != nil:
		closeStray(conn)
		return nil, err
	case conn == nil:
		return nil, &DialError{Op: op, Net: network, Addr: address, Err: errNoConn}
	}
	return conn, nil
}
