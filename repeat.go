package dialx

import (
	"context"
	"fmt"
	"net"
)

// Repeat retries a Dialer: it makes up to a fixed number of tries and returns
// the first connection.
//
// Tries follow each other at once. Once the dial's ctx is done Repeat starts
// no further try and returns a [*DialError] that matches ctx.Err(). When every
// try fails, the error says how many were made and unwraps to each try's
// error, so [errors.Is] and [errors.As] find any of them.
//
// Use [NewRepeat] to make one; the zero value is not usable.
// A Repeat is safe for concurrent use by multiple goroutines.
type Repeat struct {
	dialer Dialer
	tries  int
}

// NewRepeat returns a Repeat that dials through d up to tries times.
// It panics if d is nil or tries is less than 1.
func NewRepeat(d Dialer, tries int) *Repeat {
	mustDialer("NewRepeat", d)
	if tries < 1 {
		panic(fmt.Sprintf("dialx: NewRepeat: tries must be >= 1, got %d", tries))
	}
	return &Repeat{dialer: d, tries: tries}
}

// DialContext dials address on network through the inner Dialer, trying
// again after each failure until a try succeeds or the tries are used up.
func (r *Repeat) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return dialInTurn(ctx, "repeat", "tries", network, address, r.tries, func(int) Dialer { return r.dialer })
}

// Dial is DialContext with [context.Background].
func (r *Repeat) Dial(network, address string) (net.Conn, error) {
	return r.DialContext(context.Background(), network, address)
}
