// Package dialtest holds the fakes that the tests, examples and benchmarks of
// dialx share: dialers that fail, block, ignore their context or succeed
// after a delay, connections that record Close, and a loopback echo server.
package dialtest

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Conn is an in-memory net.Conn (one end of a net.Pipe) that records whether
// it was closed, so tests can prove that a decorator closed a connection it
// did not hand out.
type Conn struct {
	net.Conn
	peer   net.Conn
	closed atomic.Bool
	// Label tells tests which fake dialer made the connection.
	Label string
}

// NewConn returns an open Conn labelled label.
func NewConn(label string) *Conn {
	a, b := net.Pipe()
	return &Conn{Conn: a, peer: b, Label: label}
}

// Close closes both ends of the pipe and records the call.
func (c *Conn) Close() error {
	c.closed.Store(true)
	c.peer.Close()
	return c.Conn.Close()
}

// Closed reports whether Close was called.
func (c *Conn) Closed() bool { return c.closed.Load() }

// Dialer is a scripted fake dialer. Its behaviour is set by Result (what a
// dial returns), Wait (how long it takes) and IgnoreCtx. It counts calls and
// remembers every connection it returned. A Dialer is safe for concurrent use.
type Dialer struct {
	// Label is copied into every Conn the dialer makes.
	Label string
	// Err, when non-nil, is returned by every dial instead of a connection.
	Err error
	// Wait delays each dial; the dial ends early with ctx.Err() when ctx is
	// done first, unless IgnoreCtx is set.
	Wait time.Duration
	// Block makes each dial wait until ctx is done (or, with IgnoreCtx,
	// until Release is closed).
	Block bool
	// IgnoreCtx makes the dialer behave like a badly written one that does
	// not watch its context.
	IgnoreCtx bool
	// Release, when Block and IgnoreCtx are set, ends the block when closed.
	Release chan struct{}
	// Started, when non-nil, receives the address of each dial as it starts.
	Started chan string

	calls atomic.Int64
	mu    sync.Mutex
	conns []*Conn
}

// Calls reports how many dials were started.
func (d *Dialer) Calls() int { return int(d.calls.Load()) }

// Conns returns every connection the dialer has handed out.
func (d *Dialer) Conns() []*Conn {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]*Conn(nil), d.conns...)
}

// DialContext plays the script.
func (d *Dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	d.calls.Add(1)
	if d.Started != nil {
		d.Started <- address
	}
	if err := d.wait(ctx); err != nil {
		return nil, err
	}
	if d.Err != nil {
		return nil, d.Err
	}
	c := NewConn(d.Label)
	d.mu.Lock()
	d.conns = append(d.conns, c)
	d.mu.Unlock()
	return c, nil
}

func (d *Dialer) wait(ctx context.Context) error {
	var timeout <-chan time.Time
	if d.Wait > 0 {
		t := time.NewTimer(d.Wait)
		defer t.Stop()
		timeout = t.C
	} else if !d.Block {
		return nil
	}
	done := ctx.Done()
	if d.IgnoreCtx {
		done = nil
	}
	select {
	case <-timeout:
		return nil
	case <-d.Release:
		return nil
	case <-done:
		return ctx.Err()
	}
}

// Instant returns a DialerFunc-shaped function that succeeds at once with a
// shared, never-closed connection: the cheapest possible inner dialer, for
// benchmarks and allocation tests that measure a decorator's own cost.
func Instant() func(context.Context, string, string) (net.Conn, error) {
	conn := &nopConn{}
	return func(context.Context, string, string) (net.Conn, error) { return conn, nil }
}

// Failing returns a function that fails at once with err.
func Failing(err error) func(context.Context, string, string) (net.Conn, error) {
	return func(context.Context, string, string) (net.Conn, error) { return nil, err }
}

type nopConn struct{ net.Conn }

func (*nopConn) Close() error { return nil }
