package dialx

import (
	"context"
	"net"
)

// Consecutive fails over between Dialers: it tries each in the order given
// until one connects; when all fail, the error unwraps to each one's. Use
// [NewConsecutive] to make one; the zero value is not usable. A Consecutive
// is safe for concurrent use by multiple goroutines.
type Consecutive struct {
	dialers []Dialer
}

// NewConsecutive returns a Consecutive over ds. It panics if ds is empty or
// holds a nil Dialer.
func NewConsecutive(ds ...Dialer) *Consecutive {
	mustDialers("NewConsecutive", ds)
	return &Consecutive{dialers: append([]Dialer(nil), ds...)}
}

// DialContext dials address with each Dialer in turn until one connects.
func (c *Consecutive) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return dialInTurn(ctx, "consecutive", "dialers", network, address, len(c.dialers), nil, func(i int) Dialer { return c.dialers[i] }, nil)
}

// Dial is DialContext with [context.Background].
func (c *Consecutive) Dial(network, address string) (net.Conn, error) {
	return c.DialContext(context.Background(), network, address)
}
