package dialx

import (
	"context"
	"fmt"
	"net"
	"reflect"
)

// Dialer connects to an address on a named network. It has the shape of
// [net.Dialer.DialContext], so a *net.Dialer, a golang.org/x/net/proxy
// ContextDialer and every decorator of this package are Dialers.
//
// DialContext must honour ctx: once ctx is done it returns promptly with an
// error that matches ctx.Err() under [errors.Is]. It must never return a
// non-nil connection together with a non-nil error.
//
// Optional methods tell the package more. Unwrap() []Dialer returns the
// Dialers a decorator passes dials on to, in a slice it keeps, which callers
// must not modify: a dial handed to it is not traced as innermost, and
// refusal checks look through it when it returns one Dialer. Refusal(ctx,
// network, address) error returns, without dialing, the error DialContext
// would refuse the dial with, or nil. HonoursContext() bool, asked once
// when the Dialer is wrapped, reports whether DialContext's own code honours
// ctx: then [Timeout] dials inline, without a goroutine, if the Dialers Unwrap
// returns are known to honour it too.
//
// Implementations must be safe for concurrent use by multiple goroutines.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// DialerFunc is an adapter to use an ordinary function as a [Dialer]. A
// DialerFunc is safe for concurrent use if the function is.
type DialerFunc func(ctx context.Context, network, address string) (net.Conn, error)

// DialContext returns f(ctx, network, address).
func (f DialerFunc) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return f(ctx, network, address)
}

// Dial is DialContext with [context.Background].
func (f DialerFunc) Dial(network, address string) (net.Conn, error) {
	return f(context.Background(), network, address)
}

// mustDialer panics with a message naming the constructor when d is nil.
func mustDialer(constructor string, d Dialer) {
	if isNilDialer(d) {
		panic(fmt.Sprintf("dialx: %s: d must not be nil, got nil", constructor))
	}
}

// mustDialers is mustDialer for a list, which must also be non-empty.
func mustDialers(constructor string, ds []Dialer) {
	if len(ds) == 0 {
		panic(fmt.Sprintf("dialx: %s: ds must hold at least one Dialer, got none", constructor))
	}
	for i, d := range ds {
		if isNilDialer(d) {
			panic(fmt.Sprintf("dialx: %s: ds[%d] must not be nil, got nil", constructor, i))
		}
	}
}

// isNilDialer reports a nil interface and also a typed nil such as a
// (*net.Dialer)(nil) or a nil DialerFunc, which would only fail later, deep
// inside a dial. It runs at construction only, so reflect costs nothing on
// the dial path.
func isNilDialer(d Dialer) bool {
	if d == nil {
		return true
	}
	switch v := reflect.ValueOf(d); v.Kind() {
	case reflect.Pointer, reflect.Func, reflect.Map, reflect.Chan, reflect.Slice, reflect.Interface:
		return v.IsNil()
	}
	return false
}
