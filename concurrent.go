package dialx

import (
	"context"
	"net"
	"time"
)

// Concurrent races Dialers: it dials with all of them at once and returns the
// first connection, cancelling the other attempts and closing what they
// connect. When every attempt fails, the error unwraps to each one's, in the
// order of the Dialers. [WithStagger], through [Concurrent.WithOptions],
// starts them one after another instead. When all start at once and every
// Dialer is known to honour ctx (see [Dialer]), the last one dials on the
// caller's goroutine, which saves a goroutine per dial: a connection from
// another cancels it. Use [NewConcurrent] to make one; the zero value is not
// usable. A Concurrent is safe for concurrent use by
// multiple goroutines.
type Concurrent struct {
	dialers []Dialer
	stagger time.Duration // 0: all at once
	// inline says every Dialer beneath is known to honour ctx, as long as
	// the current Dialer of each of swappables does (see Timeout).
	inline     bool
	swappables []*Swappable
}

// NewConcurrent returns a Concurrent that races ds. It panics if ds is empty
// or holds a nil Dialer.
func NewConcurrent(ds ...Dialer) *Concurrent {
	mustDialers("NewConcurrent", ds)
	c := &Concurrent{dialers: append([]Dialer(nil), ds...)}
	c.inline = honoursContext(c, &c.swappables)
	return c
}

// DialContext races the Dialers to address and returns the first connection.
func (c *Concurrent) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	// When every Dialer honours ctx and all start at once, the last one
	// dials on this goroutine, as a Timeout's does: a winner elsewhere
	// cancels it. With a stagger, this goroutine starts the next attempt
	// while others dial, so each dials on a goroutine of its own.
	r := race{op: "concurrent", noun: "attempts", network: network, address: address,
		racers: len(c.dialers), dialers: c.dialers, stagger: c.stagger, report: true,
		inline: c.inline && swappablesHonour(c.swappables)}
	return r.run(ctx)
}

// Dial is DialContext with [context.Background].
func (c *Concurrent) Dial(network, address string) (net.Conn, error) {
	return c.DialContext(context.Background(), network, address)
}

// WithOptions returns a copy of c configured by opts ([WithStagger]).
func (c *Concurrent) WithOptions(opts ...Option) *Concurrent {
	s := settings{stagger: c.stagger}
	s.apply("Concurrent.WithOptions", takenByConcurrent, opts)
	clone := *c
	clone.stagger = s.stagger
	return &clone
}
