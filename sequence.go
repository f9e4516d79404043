package dialx

import (
	"context"
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
// On the success path it allocates nothing: errs is only made once an
// attempt fails.
func dialInTurn(ctx context.Context, op, noun, network, address string, planned int,
	dialer Dialer, next func(i int) Dialer, policy *retryPolicy) (net.Conn, error) {
	var errs []error
	t := traceFrom(ctx)
	for i := 0; i < planned; i++ {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, &DialError{Op: op, Net: network, Addr: address, Err: stopped(ctxErr, i, planned, noun, errs)}
		}
		var wait time.Duration
		switch {
		case policy == nil:
		case i == 0:
			policy.first()
		default:
			var stop error
			if wait, stop = policy.beforeRetry(ctx, i, errs[i-1]); stop != nil {
				return nil, &DialError{Op: op, Net: network, Addr: address, Err: stopped(stop, i, planned, noun, errs)}
			}
		}

		// Every attempt starts here.
		d := dialer
		if next != nil {
			d = next(i)
		}
		var conn net.Conn
		var err error
		if t != nil {
			if t.Attempt != nil {
				t.Attempt(AttemptInfo{Op: op, Network: network, Address: address, Attempt: i + 1, Of: planned, Wait: wait})
			}
			conn, err = dialTraced(ctx, t, d, network, address)
		} else {
			conn, err = d.DialContext(ctx, network, address)
		}
		if err == nil {
			return conn, nil
		}
		closeStray(conn)
		if errs == nil {
			// planned may be huge (a Repeat of math.MaxInt tries, until
			// ctx ends), so do not size the slice by it.
			errs = make([]error, 0, min(planned, 8))
		}
		errs = append(errs, err)
	}
	cause := allFailed(noun, errs)
	if ctxErr := ctx.Err(); ctxErr != nil {
		// The last attempt failed because ctx ended: say so, so that
		// errors.Is(err, ctx.Err()) holds whatever the inner error was.
		cause = stopped(ctxErr, planned, planned, noun, errs)
	}
	return nil, &DialError{Op: op, Net: network, Addr: address, Err: cause}
}

// closeStray closes a connection that an inner Dialer returned together with
// an error, against the Dialer contract; it must not leak.
func closeStray(conn net.Conn) {
	if conn != nil {
		conn.Close()
	}
}

// passOn returns what an inner Dialer returned, except a connection that
// came together with an error: that one is closed, so that a decorator that
// hands a dial straight on keeps the Dialer contract all the same.
func passOn(conn net.Conn, err error) (net.Conn, error) {
	if err != nil {
		closeStray(conn)
		return nil, err
	}
	return conn, nil
}
