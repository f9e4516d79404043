package dialx

import (
	"context"
	"net"

	"golang.org/x/net/proxy"
)

// FromProxy returns a [Dialer] that dials through d, a
// golang.org/x/net/proxy Dialer, so that proxy dialers can be wrapped and
// routed like any other.
//
// If d also has a DialContext method (it is a proxy.ContextDialer, as the
// dialers made by proxy.SOCKS5 and proxy.Direct are), FromProxy returns d
// itself. Otherwise d only has Dial, which cannot be cancelled, and the
// returned Dialer adds what the [Dialer] contract asks for: it starts no dial
// once ctx is done, it returns as soon as ctx is done even while d.Dial is
// still running, and when that abandoned dial later succeeds it closes the
// connection instead of leaking it. It never returns a connection together
// with an error, nor a nil connection without one (that is a [*DialError]
// with Op "proxy"). The goroutine running an abandoned d.Dial lives until
// that call returns; only d can shorten it. A panic of d.Dial is raised
// again on the caller's goroutine with the same value while the caller
// waits, and dropped once it has stopped waiting. When ctx ends first, the
// error is a [*DialError] with Op "proxy" that matches ctx.Err() (and is a
// timeout if the deadline passed); errors from d are returned unchanged.
//
// FromProxy panics if d is nil. The returned Dialer is safe for concurrent
// use by multiple goroutines if d is.
func FromProxy(d proxy.Dialer) Dialer {
	if d == nil {
		panic("dialx: FromProxy: nil Dialer")
	}
	if cd, ok := d.(Dialer); ok {
		return cd
	}
	return DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		return dialProxy(ctx, d, network, address)
	})
}

func dialProxy(ctx context.Context, d proxy.Dialer, network, address string) (net.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, &DialError{Op: "proxy", Net: network, Addr: address, Err: err}
	}
	res, ok := dialAside(asideDial{ctx: ctx, plain: d, network: network, address: address})
	if !ok {
		return nil, &DialError{Op: "proxy", Net: network, Addr: address, Err: ctx.Err()}
	}
	switch err := res.failure(); {
	case brokeContract(err):
		return nil, &DialError{Op: "proxy", Net: network, Addr: address, Err: err}
	case err != nil:
		return nil, err
	}
	return res.conn, nil
}

// dialPlain calls d.Dial and never returns a connection together with an
// error: such a connection is closed.
func dialPlain(d proxy.Dialer, network, address string) (net.Conn, error) {
	conn, err := d.Dial(network, address)
	if err != nil && conn != nil {
		conn.Close()
		conn = nil
	}
	return conn, err
}
