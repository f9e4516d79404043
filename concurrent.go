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
// starts them one after another instead. Use [NewConcurrent] to make one; the
// zero value is not usable. A Concurrent is safe for concurrent use by
// multiple goroutines.
type Concurrent struct {
	dialers []Dialer
	stagger time.Duration // 0: all at once
}

// NewConcurrent returns a Concurrent that races ds. It panics if ds is empty
// or holds a nil Dialer.
func NewConcurrent(ds ...Dialer) *Concurrent {
	mustDialers("NewConcurrent", ds)
	return &Concurrent{dialers: append([]Dialer(nil), ds...)}
}

// DialContext races the Dialers to address and returns the first connection.
func (c *Concurrent) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	// Unlike Timeout's, the dials run on goroutines even when every Dialer
	// honours ctx: the first connection must win while other attempts still
	// dial, and a stagger starts the next attempt while one dials, neither of
	// which the caller's goroutine can do from inside a dial.
	r := race{op: "concurrent", noun: "attempts", network: network, address: address,
		racers: len(c.dialers), dialers: c.dialers, stagger: c.stagger, report: true}
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
