package dialx

import (
	"context"
	"fmt"
	"net"
	"reflect"
)

// Dialer is the interface every decorator in this package implements and
// wraps. It has the shape of [net.Dialer.DialContext], so a *net.Dialer, a
// golang.org/x/net/proxy.ContextDialer or any value of this package plugs in
// unchanged, and a stack of decorators can be handed to
// [net/http.Transport.DialContext] or grpc.WithContextDialer.
//
// DialContext connects to address on the named network. Implementations must
// honour ctx: once ctx is done they should return promptly with an error that
// matches ctx.Err() under [errors.Is]. They must never return a non-nil
// connection together with a non-nil error.
//
// Two optional methods let a Dialer of your own take part as this
// package's do. A decorator, which passes dials on to other Dialers, has
// Unwrap() []Dialer returning them (a slice it keeps, which callers must
// not modify): its dials are then not framed as innermost ones for a
// [Trace], and a check that must not dial, such as
// [Selective.ControlContext], looks through it when it returns one Dialer.
// A Dialer that can tell without dialing whether it would refuse a dial
// has Refusal(ctx, network, address) error, returning the error
// DialContext would fail with before reaching the network, or nil, as
// [Reject] and [Selective] do.
//
// Implementations must be safe for concurrent use by multiple goroutines.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// DialerFunc is an adapter to use an ordinary function as a [Dialer]. If f is
// a function with the appropriate signature, DialerFunc(f) is a Dialer that
// calls f.
//
// A DialerFunc is safe for concurrent use if f is.
type DialerFunc func(ctx context.Context, network, address string) (net.Conn, error)

// DialContext calls f(ctx, network, address).
func (f DialerFunc) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return f(ctx, network, address)
}

// Dial calls f with [context.Background].
func (f DialerFunc) Dial(network, address string) (net.Conn, error) {
	return f(context.Background(), network, address)
}

// mustDialer panics with a message naming the constructor when d is nil.
func mustDialer(constructor string, d Dialer) {
	if isNilDialer(d) {
		panic(fmt.Sprintf("dialx: %s: nil Dialer", constructor))
	}
}

// mustDialers is mustDialer for a list, which must also be non-empty.
func mustDialers(constructor string, ds []Dialer) {
	if len(ds) == 0 {
		panic(fmt.Sprintf("dialx: %s: needs at least one Dialer, got none", constructor))
	}
	for i, d := range ds {
		if isNilDialer(d) {
			panic(fmt.Sprintf("dialx: %s: Dialer at index %d (of %d) is nil", constructor, i, len(ds)))
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
