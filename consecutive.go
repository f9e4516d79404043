package dialx

import (
	"context"
	"net"
)

// Consecutive fails over between Dialers: it tries each in the order given
// and returns the first connection.
//
// Once the dial's ctx is done Consecutive starts no further attempt and
// returns a [*DialError] that matches ctx.Err(). When every Dialer fails, the
// error unwraps to each attempt's error (the first and last four of more
// than eight). A Dialer that returns neither a connection nor an error has
// failed.
//
// Use [NewConsecutive] to make one; the zero value is not usable.
// A Consecutive is safe for concurrent use by multiple goroutines.
type Consecutive struct {
	dialers []Dialer
}

// NewConsecutive returns a Consecutive over ds, tried in that order.
// It panics if ds is empty or holds a nil Dialer.
func NewConsecutive(ds ...Dialer) *Consecutive {
	mustDialers("NewConsecutive", ds)
	return &Consecutive{dialers: append([]Dialer(nil), ds...)}
}

// DialContext dials address on network with each Dialer in turn until one
// succeeds.
func (c *Consecutive) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return dialInTurn(ctx, "consecutive", "dialers", network, address, len(c.dialers), nil, func(i int) Dialer { return c.dialers[i] }, nil)
}

// Dial is DialContext with [context.Background].
func (c *Consecutive) Dial(network, address string) (net.Conn, error) {
	return c.DialContext(context.Background(), network, address)
}
