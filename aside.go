package dialx

import (
	"context"
	"errors"
	"net"

	"golang.org/x/net/proxy"
)

// innerResult is what an inner dial made on a goroutine of the package's
// own (behind a Timeout, a racer of a race, behind FromProxy) hands back to
// the goroutine that waits for it.
//
// Such a goroutine delivers it from a deferred function that first calls
// caught(recover()), so that a dial that panics or ends its goroutine
// still delivers a result and the waiting side neither hangs nor leaks.
type innerResult struct {
	conn     net.Conn
	err      error
	returned bool        // the dial returned conn and err
	panicked *innerPanic // the dial panicked
}

// innerPanic carries the value an inner dial panicked with to the goroutine
// that waits for the dial, which panics again with that very value, so
// that the caller's recover sees it as if the dial had run on its own
// goroutine. A panic nobody waits for any more is dropped: raising it on
// the dial's goroutine would take the whole process down, and no caller is
// left to recover it.
type innerPanic struct{ value any }

// errGoexit is the cause of an inner dial that ended its goroutine with
// runtime.Goexit (t.FailNow in a test's fake, say) instead of returning.
var errGoexit = errors.New("inner Dialer ended its goroutine without returning")

// caught records v, the value recover returned in the deferred function
// that delivers r, as the panic of the dial if it is not nil.
func (r *innerResult) caught(v any) {
	if v != nil {
		r.panicked = &innerPanic{value: v}
	}
}

// raise panics with the value the dial panicked with, if it did.
func (r *innerResult) raise() {
	if r.panicked != nil {
		panic(r.panicked.value)
	}
}

// failure returns why the dial brought no connection, or nil if it brought
// one: the inner Dialer's error, or errNoConn or errGoexit when the dial
// broke the Dialer contract. A connection that came with an error is
// closed.
func (r *innerResult) failure() error {
	switch {
	case !r.returned:
		return errGoexit
	case r.err != nil:
		closeStray(r.conn)
		return r.err
	case r.conn == nil:
		return errNoConn
	}
	return nil
}

// brokeContract reports whether err, from failure, is the package's own
// finding that the inner Dialer broke the Dialer contract, rather than the
// inner Dialer's error.
func brokeContract(err error) bool {
	return err == errNoConn || err == errGoexit
}

// asideDial is a dial that dialAside makes: through dialer, under ctx, or,
// when plain is set (the Dialer of FromProxy), with plain.Dial, which
// takes no ctx.
type asideDial struct {
	ctx              context.Context
	dialer           Dialer
	plain            proxy.Dialer
	network, address string
}

// dialAside makes the dial a on a goroutine of its own and waits for it
// until a.ctx is done, so that a dial that ignores its ctx cannot hold up
// the caller: it is the one place a dial is abandoned, for Timeout and
// FromProxy. It returns what the dial returned and true, or false once
// a.ctx is done first; a connection the abandoned dial still makes is then
// closed, never leaked, and a panic of it is dropped. A panic of the dial
// while it is waited for is raised again here, on the caller's goroutine,
// with its original value. A ctx that is never done leaves nothing to
// abandon: the dial is then made in place.
func dialAside(a asideDial) (innerResult, bool) {
	done := a.ctx.Done()
	if done == nil {
		var res innerResult
		res.conn, res.err = a.dial()
		res.returned = true
		return res, true
	}
	// Unbuffered on purpose: a result is either received here or, once
	// done is closed and nobody waits, cleaned up by the dialing goroutine.
	results := make(chan innerResult)
	go func() {
		var res innerResult
		defer func() {
			res.caught(recover())
			select {
			case results <- res:
			case <-done:
				closeStray(res.conn)
			}
		}()
		res.conn, res.err = a.dial()
		res.returned = true
	}()
	select {
	case res := <-results:
		res.raise()
		return res, true
	case <-done:
		return innerResult{}, false
	}
}

// dial makes the dial a describes, on the calling goroutine.
func (a asideDial) dial() (net.Conn, error) {
	if a.plain != nil {
		return dialPlain(a.plain, a.network, a.address)
	}
	return dialInner(a.ctx, a.dialer, a.network, a.address)
}
