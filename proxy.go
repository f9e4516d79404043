package dialx

import (
	"context"
	"net"

	"golang.org/x/net/proxy"
)

// FromProxy returns a [Dialer] that dials through d, a golang.org/x/net/proxy
// Dialer: with d's DialContext if it has one. Otherwise d.Dial cannot be
// cancelled, so the Dialer stops waiting for it once ctx is done, with a
// [*DialError] of Op "proxy" that matches ctx.Err(), and closes the connection
// the call may return later; only d can end that call. The Dialer returns errors
// of d unchanged, and a nil connection without error as a DialError. It
// honours ctx (see [Dialer]); d is returned itself if it is a Dialer that
// declares whether it does, or has an Unwrap or Refusal method.
//
// FromProxy panics if d is nil. The Dialer is safe for concurrent use if d is.
func FromProxy(d proxy.Dialer) Dialer {
	if d == nil {
		panic("dialx: FromProxy: d must not be nil, got nil")
	}
	cd, ok := d.(Dialer)
	if !ok {
		return plainProxy{plain: d}
	}
	switch cd.(type) {
	case contextHonourer, unwrapper, refuser:
		return cd
	}
	return contextProxy{dialer: cd}
}

// contextProxy is the Dialer of FromProxy over a proxy.ContextDialer, whose
// DialContext takes ctx as x/net/proxy's dialers (Direct, SOCKS5, PerHost) do.
type contextProxy struct {
	dialer Dialer
}

func (p contextProxy) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return p.dialer.DialContext(ctx, network, address)
}

func (p contextProxy) Dial(network, address string) (net.Conn, error) {
	return p.dialer.DialContext(context.Background(), network, address)
}

// plainProxy is the Dialer of FromProxy over a proxy.Dialer without
// DialContext: it honours ctx by waiting for d.Dial aside.
type plainProxy struct {
	plain proxy.Dialer
}

func (p plainProxy) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return dialProxy(ctx, p.plain, network, address)
}

func (p plainProxy) Dial(network, address string) (net.Conn, error) {
	return dialProxy(context.Background(), p.plain, network, address)
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
