package dialx

import (
	"context"
	"net"
	"time"
)

// Concurrent races Dialers: it starts a dial with every one of them at once
// and returns the first connection.
//
// As soon as one attempt succeeds, the others get their ctx cancelled and
// any connection that still arrives from them is closed, never leaked.
// DialContext returns as soon as one attempt succeeded, all failed, or the
// caller's ctx ended (then with a [*DialError] matching ctx.Err(), even if an
// inner Dialer ignores its ctx). When every attempt fails, the error unwraps
// to each attempt's error (the first and last four of a longer list), in the
// order the Dialers were given. An attempt whose Dialer returns neither a
// connection nor an error has failed. If an attempt panics while the race
// is still open, DialContext panics with the same value on the caller's
// goroutine, once it has cancelled the other attempts; a panic of an
// attempt that lost the race is dropped.
//
// With [WithStagger] the attempts start one after another instead, in the
// order the Dialers were given, in the manner of Happy Eyeballs (RFC 8305):
// each waits for the stagger delay after the previous one started, or only
// until an attempt fails, whichever comes first; attempts already started
// go on racing. Options are given with [Concurrent.WithOptions], since the
// Dialers of [NewConcurrent] are a variadic list.
//
// Use [NewConcurrent] to make one; the zero value is not usable.
// A Concurrent is safe for concurrent use by multiple goroutines.
type Concurrent struct {
	dialers []Dialer
	stagger time.Duration // 0: all at once
}

// NewConcurrent returns a Concurrent that races ds.
// It panics if ds is empty or holds a nil Dialer.
func NewConcurrent(ds ...Dialer) *Concurrent {
	mustDialers("NewConcurrent", ds)
	return &Concurrent{dialers: append([]Dialer(nil), ds...)}
}

// DialContext dials address on network with every Dialer, all at once or
// staggered, and returns the first connection.
func (c *Concurrent) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	r := race{op: "concurrent", noun: "attempts", network: network, address: address,
		racers: len(c.dialers), dialers: c.dialers, stagger: c.stagger, report: true}
	return r.run(ctx)
}

// Dial is DialContext with [context.Background].
func (c *Concurrent) Dial(network, address string) (net.Conn, error) {
	return c.DialContext(context.Background(), network, address)
}
