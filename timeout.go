package dialx

import (
	"context"
	"fmt"
	"net"
	"time"
)

// Timeout bounds a dial by a duration. The inner Dialer gets a ctx whose
// deadline is the earlier of the caller's and now plus the timeout.
//
// DialContext returns by that deadline even when the inner Dialer ignores
// its ctx: the inner dial then goes on in its own goroutine until it returns,
// and a connection it makes after Timeout gave up is closed, never leaked.
// When the timeout fires the error is a [*DialError] that satisfies
// [net.Error] with Timeout() true and matches [context.DeadlineExceeded], as
// [net.Dialer]'s errors do; when the caller's ctx ends first, the error
// matches the caller's ctx.Err() instead ([context.Canceled] on cancel).
// Errors the inner Dialer returns in time are returned unchanged.
//
// Use [NewTimeout] to make one; the zero value is not usable.
// A Timeout is safe for concurrent use by multiple goroutines.
type Timeout struct {
	dialer  Dialer
	timeout time.Duration
}

// NewTimeout returns a Timeout that bounds each dial through d by timeout.
// It panics if d is nil or timeout is not positive.
func NewTimeout(d Dialer, timeout time.Duration) *Timeout {
	mustDialer("NewTimeout", d)
	if timeout <= 0 {
		panic(fmt.Sprintf("dialx: NewTimeout: timeout must be > 0, got %v", timeout))
	}
	return &Timeout{dialer: d, timeout: timeout}
}

type dialResult struct {
	conn net.Conn
	err  error
}

// DialContext dials address on network through the inner Dialer and gives up
// when the timeout or the caller's ctx ends first.
func (t *Timeout) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, &DialError{Op: "timeout", Net: network, Addr: address, Err: err}
	}
	dialCtx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()

	// Unbuffered on purpose: a result is either received here or, once
	// dialCtx is done and nobody waits, closed by the dialing goroutine.
	results := make(chan dialResult)
	go func() {
		conn, err := dialInner(dialCtx, t.dialer, network, address)
		select {
		case results <- dialResult{conn, err}:
		case <-dialCtx.Done():
			closeStray(conn)
		}
	}()

	select {
	case r := <-results:
		if r.err != nil {
			closeStray(r.conn)
			return nil, r.err
		}
		return r.conn, nil
	case <-dialCtx.Done():
		if err := ctx.Err(); err != nil {
			return nil, &DialError{Op: "timeout", Net: network, Addr: address, Err: err}
		}
		if tr := traceFrom(ctx); tr != nil && tr.TimeoutFired != nil {
			tr.TimeoutFired(TimeoutFiredInfo{Network: network, Address: address, After: t.timeout})
		}
		return nil, &DialError{Op: "timeout", Net: network, Addr: address, Err: &timeoutError{after: t.timeout}}
	}
}

// Dial is DialContext with [context.Background].
func (t *Timeout) Dial(network, address string) (net.Conn, error) {
	return t.DialContext(context.Background(), network, address)
}

// timeoutError is the cause of a dial that Timeout cut short. Like the
// errors of package net it is a timeout and matches context.DeadlineExceeded.
type timeoutError struct {
	after time.Duration
}

func (e *timeoutError) Error() string   { return "timed out after " + e.after.String() }
func (e *timeoutError) Timeout() bool   { return true }
func (e *timeoutError) Temporary() bool { return true }
func (e *timeoutError) Is(target error) bool {
	return target == context.DeadlineExceeded
}
