package dialx

import (
	"context"
	"net"
	"sync/atomic"
)

// Swappable holds a Dialer that [Swappable.Swap] replaces atomically while
// dials go on; each dial finishes on the Dialer current when it started. Use
// [NewSwappable] to make one; the zero value is not usable. A Swappable is
// safe for concurrent use by multiple goroutines.
type Swappable struct {
	current atomic.Pointer[swapped]
}

// swapped boxes a Dialer so that it can sit behind an atomic.Pointer.
type swapped struct {
	dialer  Dialer
	honours bool // dialer is known to honour ctx (see honoursContext)
}

func newSwapped(d Dialer) *swapped {
	return &swapped{dialer: d, honours: honoursContext(d, nil)}
}

// NewSwappable returns a Swappable dialing through d. It panics if d is nil.
func NewSwappable(d Dialer) *Swappable {
	mustDialer("NewSwappable", d)
	s := &Swappable{}
	s.current.Store(newSwapped(d))
	return s
}

// Swap makes d the Dialer of dials that start from now on and returns the
// one it replaces. It panics if d is nil.
func (s *Swappable) Swap(d Dialer) (old Dialer) {
	mustDialer("Swappable.Swap", d)
	return s.current.Swap(newSwapped(d)).dialer
}

// Dialer returns the current Dialer.
func (s *Swappable) Dialer() Dialer {
	return s.current.Load().dialer
}

// DialContext dials address through the current Dialer.
func (s *Swappable) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if err := ctx.Err(); err != nil {
		// Checked here because the inner Dialer may not: a done ctx must
		// never come back as a connection.
		return nil, &DialError{Op: "swappable", Net: network, Addr: address, Err: err}
	}
	conn, err := dialInner(ctx, s.current.Load().dialer, network, address)
	return passOn("swappable", network, address, conn, err)
}

// Dial is DialContext with [context.Background].
func (s *Swappable) Dial(network, address string) (net.Conn, error) {
	return s.DialContext(context.Background(), network, address)
}
