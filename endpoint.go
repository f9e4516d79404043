package dialx

import (
	"context"
	"fmt"
	"net"

	"github.com/dialx/dialx/rules"
)

// Endpoint dials one fixed address, whatever address it is asked for, over
// the network it is asked for: the Dialers of a [Consecutive] or a [Random]
// all dial the caller's address, so failover between replicas takes an
// Endpoint per replica:
//
//	dialx.NewConsecutive(dialx.NewEndpoint(d, "db1:5432"), dialx.NewEndpoint(d, "db2:5432"))
//
// The asked address stays the one its errors and the decorators above it
// name; the innermost dial, and an Event{Op: "endpoint", Kind: "dial"} with
// the fixed address as Detail, name the fixed one. Its Refusal checks the
// fixed address.
//
// Use [NewEndpoint] to make one; the zero value is not usable.
// An Endpoint is safe for concurrent use by multiple goroutines.
type Endpoint struct {
	dialer  Dialer
	address string // canonical, as rules.Canonical gives it
}

// NewEndpoint returns an Endpoint that dials address through d. It panics
// if d is nil or address is not a "host:port" that [rules.Canonical] reads,
// with a decimal port; d gets it in that canonical form.
func NewEndpoint(d Dialer, address string) *Endpoint {
	mustDialer("NewEndpoint", d)
	canonical, err := rules.Canonical(address)
	if err != nil {
		panic(fmt.Sprintf("dialx: NewEndpoint: address must be a valid host:port, got %q (%v)", address, err))
	}
	return &Endpoint{dialer: d, address: canonical}
}

// DialContext dials the fixed address over network; address only names
// the dial in errors and traces.
func (e *Endpoint) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	t := ContextTrace(ctx)
	if t != nil {
		t(ctx, Event{Op: "endpoint", Kind: "dial", Network: network, Address: address, Detail: e.address})
	}
	conn, err := dialInnerTraced(ctx, t, e.dialer, network, e.address)
	switch {
	case err != nil:
		closeStray(conn)
	case conn == nil:
		err = errNoConn
	default:
		return conn, nil
	}
	return nil, &DialError{Op: "endpoint", Net: network, Addr: address, Err: err}
}

// Dial is DialContext with [context.Background].
func (e *Endpoint) Dial(network, address string) (net.Conn, error) {
	return e.DialContext(context.Background(), network, address)
}

// Unwrap returns the Dialer e dials through.
func (e *Endpoint) Unwrap() []Dialer { return one(&e.dialer) }

// Refusal returns the error a dial through e would be refused with, without
// dialing: that of the Dialer beneath for the fixed address.
func (e *Endpoint) Refusal(ctx context.Context, network, _ string) error {
	return refusalOf(ctx, e.dialer, network, e.address)
}
