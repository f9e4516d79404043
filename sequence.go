package dialx

import (
	"context"
	"net"
)

// dialInTurn makes up to planned attempts one after another, the i-th with
// the Dialer that next(i) returns, and returns the first connection. It
// starts no attempt once ctx is done. Repeat, Consecutive and Random differ
// only in what next returns.
//
// On the success path it allocates nothing: errs is only made once an
// attempt fails.
func dialInTurn(ctx context.Context, op, noun, network, address string, planned int, next func(i int) Dialer) (net.Conn, error) {
	var errs []error
	t := traceFrom(ctx)
	for i := 0; i < planned; i++ {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, &DialError{Op: op, Net: network, Addr: address, Err: stopped(ctxErr, i, planned, noun, errs)}
		}
		var conn net.Conn
		var err error
		if t != nil {
			if t.Attempt != nil {
				t.Attempt(AttemptInfo{Op: op, Network: network, Address: address, Attempt: i + 1, Of: planned})
			}
			conn, err = dialTraced(ctx, t, next(i), network, address)
		} else {
			conn, err = next(i).DialContext(ctx, network, address)
		}
		if err == nil {
			return conn, nil
		}
		closeStray(conn)
		if errs == nil {
			errs = make([]error, 0, planned)
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
