package prometheus

import (
	"context"
	"net"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialmetrics"
)

// Dialer dials through a [dialx.Dialer] and records in a [Collector] the
// metrics of each whole dial and of its steps. Use [NewDialer] to make one.
// A Dialer is safe for concurrent use by multiple goroutines.
type Dialer struct {
	dialer    dialx.Dialer
	inner     []dialx.Dialer // dialer, for Unwrap
	op        string
	collector *Collector
}

// NewDialer returns a Dialer through d that records in c. It panics if d
// or c is nil.
func NewDialer(d dialx.Dialer, c *Collector) *Dialer {
	if d == nil {
		panic("dialxprom: NewDialer: d must not be nil, got nil")
	}
	if c == nil {
		panic("dialxprom: NewDialer: c must not be nil, got nil")
	}
	return &Dialer{dialer: d, inner: []dialx.Dialer{d}, op: dialmetrics.Op(d), collector: c}
}

// DialContext dials address through the wrapped Dialer.
func (d *Dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return dialmetrics.Dial(ctx, &d.collector.r, d.collector.Trace, d.op, d.dialer, network, address)
}

// Dial is DialContext with [context.Background].
func (d *Dialer) Dial(network, address string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, address)
}

// Unwrap returns the Dialer d dials through.
func (d *Dialer) Unwrap() []dialx.Dialer { return d.inner[:1:1] }

// HonoursContext reports true: d's own code never waits.
func (d *Dialer) HonoursContext() bool { return true }
