package dialx

import (
	"context"
	"fmt"
	"net"
	"time"
)

// Timeout bounds a dial by a duration: the inner Dialer gets a ctx whose
// deadline is the earlier of the caller's and now plus the timeout, and
// DialContext returns by then even if the inner Dialer ignores its ctx: it
// waits for the dial on a goroutine of its own, unless every Dialer beneath
// is known to honour ctx (see [Dialer]; a [Swappable]'s current Dialer is
// checked on each dial), when it dials inline. A
// dial that fails at or past the timeout returns a [*DialError] that matches
// [context.DeadlineExceeded] and is a [net.Error] with Timeout() true.
//
// Use [NewTimeout] to make one; the zero value is not usable.
// A Timeout is safe for concurrent use by multiple goroutines.
type Timeout struct {
	dialer  Dialer
	timeout time.Duration
	// inline is set when every Dialer beneath is known to honour ctx, as
	// long as the current Dialer of each of swappables does.
	inline     bool
	swappables []*Swappable
}

// NewTimeout returns a Timeout that bounds each dial through d by timeout.
// It panics if d is nil or timeout is not positive.
func NewTimeout(d Dialer, timeout time.Duration) *Timeout {
	mustDialer("NewTimeout", d)
	if timeout <= 0 {
		panic(fmt.Sprintf("dialx: NewTimeout: timeout must be > 0, got %v", timeout))
	}
	t := &Timeout{dialer: d, timeout: timeout}
	t.inline = honoursContext(d, &t.swappables)
	return t
}

// DialContext dials through the inner Dialer until the timeout or ctx ends.
func (t *Timeout) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, &DialError{Op: "timeout", Net: network, Addr: address, Err: err}
	}
	dialCtx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	var res innerResult
	if t.inline && swappablesHonour(t.swappables) {
		res.conn, res.err = dialInner(dialCtx, t.dialer, network, address)
		res.returned = true
	} else {
		var ok bool
		if res, ok = dialAside(asideDial{ctx: dialCtx, dialer: t.dialer, network: network, address: address}); !ok {
			return nil, t.expiredError(ctx, network, address)
		}
	}
	err := res.failure()
	switch {
	case err == nil:
		return res.conn, nil
	case brokeContract(err):
		return nil, &DialError{Op: "timeout", Net: network, Addr: address, Err: err}
	case expired(dialCtx):
		// A socket deadline derived from dialCtx can fire a moment
		// before dialCtx reports done; past the deadline, the failure
		// is the timeout's all the same.
		return nil, t.expiredError(ctx, network, address)
	}
	return nil, err
}

// expiredError is the error of a dial whose dialCtx has expired: the
// caller's own if its ctx ended (or its deadline passed), else the timeout.
func (t *Timeout) expiredError(ctx context.Context, network, address string) error {
	err := ctx.Err()
	if err == nil && expired(ctx) {
		err = context.DeadlineExceeded
	}
	if err == nil {
		if tr := ContextTrace(ctx); tr != nil {
			tr(ctx, Event{Op: "timeout", Kind: "fired", Network: network, Address: address, Elapsed: t.timeout})
		}
		err = &timeoutError{after: t.timeout}
	}
	return &DialError{Op: "timeout", Net: network, Addr: address, Err: err}
}

// expired reports whether ctx is done or its deadline has passed, which is
// true a moment before ctx.Err reports it.
func expired(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	deadline, ok := ctx.Deadline()
	return ok && !time.Now().Before(deadline)
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
