package dialx

import (
	"context"
	"fmt"
	"net"
	"time"
)

// Delay waits for a fixed duration before each dial; if ctx ends first, the
// inner Dialer is not called. Use [NewDelay] to make one; the zero value is
// not usable. A Delay is safe for concurrent use by multiple goroutines.
type Delay struct {
	dialer Dialer
	delay  time.Duration
}

// NewDelay returns a Delay that waits for delay before each dial through d.
// It panics if d is nil or delay is negative.
func NewDelay(d Dialer, delay time.Duration) *Delay {
	mustDialer("NewDelay", d)
	if delay < 0 {
		panic(fmt.Sprintf("dialx: NewDelay: delay must be >= 0, got %v", delay))
	}
	return &Delay{dialer: d, delay: delay}
}

// DialContext waits for the delay, then dials through the inner Dialer.
func (d *Delay) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	var t Trace
	if d.delay > 0 {
		if t = ContextTrace(ctx); t != nil {
			t(ctx, Event{Op: "delay", Kind: "wait", Network: network, Address: address, Elapsed: d.delay})
		}
	}
	if err := sleep(ctx, d.delay); err != nil {
		return nil, &DialError{Op: "delay", Net: network, Addr: address, Err: err}
	}
	var conn net.Conn
	var err error
	if d.delay > 0 { // t is looked up already
		conn, err = dialInnerTraced(ctx, t, d.dialer, network, address)
	} else {
		conn, err = dialInner(ctx, d.dialer, network, address)
	}
	return passOn("delay", network, address, conn, err)
}

// Dial is DialContext with [context.Background].
func (d *Delay) Dial(network, address string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, address)
}

// sleep waits for wait or until ctx is done, whichever comes first, then
// returns ctx.Err(): nil only if ctx is still live, so that no dial starts
// after it ended, even when the wait ran out at the same moment. A wait of
// zero or less only checks ctx.
func sleep(ctx context.Context, wait time.Duration) error {
	if wait > 0 {
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
		}
	}
	return ctx.Err()
}
