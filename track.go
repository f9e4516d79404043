package dialx

import (
	"context"
	"hash/maphash"
	"iter"
	"net"
	"sync"
	"sync/atomic"
)

// Tracker keeps the connections its Dialer made and has not seen closed, so
// that they can be cut: all of them ([Tracker.CloseAll]), those to one
// destination ([Tracker.CloseTo]), or those made through one Dialer
// ([Tracker.CloseVia]). It pairs with a [Swappable]: after a Swap,
// CloseVia(old) cuts what still flows to the old upstream. It pairs with a
// [Breaker]: a [Trace] that sees a circuit open calls CloseTo with the
// circuit's key.
//
// A destination is the dial's address, or its key under [WithKey]. The
// Dialer a connection was made through is the one current in the
// [Swappable] that the Tracker's Dialer passes dials on to, when it is one
// or leads to one through decorators that each pass dials on to one Dialer;
// otherwise it is the Tracker's Dialer itself. A dial that starts while a
// Swap replaces that Dialer counts as made through the one current when the
// Tracker saw it start.
//
// A connection leaves the Tracker when its Close is first called, by its
// user or by the Tracker, so the bookkeeping holds only the connections
// open and the dials in flight. Until then the Tracker keeps it reachable:
// one dropped without Close is not closed by the garbage collector either.
// A dial still in flight when a Close method selects it has its connection
// closed as soon as it arrives, and fails with an error that matches
// [net.ErrClosed]: no connection escapes a cut.
//
// The connection a Tracker hands out is its Dialer's wrapped: Close is the
// Tracker's, every other method of [net.Conn] the inner connection's. It has
// CloseRead and CloseWrite exactly when the inner one has both (a
// [*net.TCPConn] or a [*net.UnixConn]), and NetConn, as a [crypto/tls.Conn]
// has, returns the inner connection for anything else: SyscallConn, keep-alive
// settings, a type switch. Close the wrapper, not what NetConn returns, or the
// connection stays counted. The wrapper is thus no [*crypto/tls.Conn] when
// the Tracker is over a [TLS], and http.Transport's DialTLSContext needs one
// to read the negotiated protocol: put the Tracker beneath the TLS instead,
// NewTLS(NewTracker(d), config), whose cuts close the TLS connection's
// transport. Nor has it a *net.TCPConn's ReadFrom and WriteTo, so io.Copy
// through it does not use sendfile or splice.
//
// Use [NewTracker] to make one; the zero value is not usable. A Tracker is
// safe for concurrent use by multiple goroutines.
type Tracker struct {
	dialer    Dialer
	swappable *Swappable // beneath dialer, whose current Dialer a connection is made through; or nil
	key       func(network, address string) string
	seed      maphash.Seed
	open      atomic.Int64
	shards    [trackerShards]trackerShard
}

// trackerShards spreads destinations over locks, so that dials to different
// destinations seldom contend; a CloseTo takes one lock.
const trackerShards = 16

// trackerShard holds the connections, open or being dialed, whose
// destinations hash to it. Its fields are guarded by mu. Entries leave both
// maps as connections close; a map keeps the room of its peak, which new
// entries reuse, so that a dial and its Close allocate nothing here once a
// shard has warmed up.
type trackerShard struct {
	mu           sync.Mutex
	conns        map[*trackedConn]struct{}
	destinations map[string]destination
	_            [40]byte // keeps neighbouring shards' locks off one cache line
}

// destination counts the connections to one destination.
type destination struct {
	conns int // open or being dialed
	open  int // those whose dial has returned
}

// NewTracker returns a Tracker of the connections dialed through d. It takes
// the Option [WithKey]. It panics if d is nil.
func NewTracker(d Dialer, opts ...Option) *Tracker {
	mustDialer("NewTracker", d)
	var s settings
	s.apply("NewTracker", takenByTracker, opts)
	t := &Tracker{dialer: d, swappable: swappableBeneath(d), key: s.key, seed: maphash.MakeSeed()}
	for i := range t.shards {
		t.shards[i].conns = make(map[*trackedConn]struct{})
		t.shards[i].destinations = make(map[string]destination)
	}
	return t
}

// swappableBeneath returns the Swappable that d is, or reaches through
// decorators that each pass dials on to one Dialer, or nil. Decorators do
// not change what they wrap, so the walk holds for d's lifetime; it stops at
// the Swappable, whose own Dialer changes.
func swappableBeneath(d Dialer) *Swappable {
	if s, ok := d.(*Swappable); ok {
		return s
	}
	if u, ok := d.(unwrapper); ok {
		if inner := u.Unwrap(); len(inner) == 1 {
			return swappableBeneath(inner[0])
		}
	}
	return nil
}

// DialContext dials through the inner Dialer and keeps the connection until
// it is closed. A dial that a Close method selected while it was in flight
// closes its connection and returns a [*DialError] that matches
// [net.ErrClosed].
func (t *Tracker) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	key := address
	if t.key != nil {
		key = t.key(network, address)
	}
	// Read before the dial is entered, and the Swappable reads its own after:
	// a dial that reaches the old Dialer entered before the Swap, so a
	// CloseVia(old) that follows the Swap finds it, in flight or open.
	via := t.dialer
	if t.swappable != nil {
		via = t.swappable.Dialer()
	}
	// Entered before the dial, so that a Close method finds it in flight.
	shard := t.shard(key)
	c := &halfClosingConn{trackedConn{tracker: t, shard: shard, key: key, via: via}}
	shard.enter(&c.trackedConn)

	conn, err := t.dialEntered(ctx, &c.trackedConn, network, address)
	if err == nil && conn == nil {
		err = &DialError{Op: "tracker", Net: network, Addr: address, Err: errNoConn}
	}
	cut := shard.settle(&c.trackedConn, conn, err)
	switch {
	case err != nil:
		closeStray(conn)
		return nil, err
	case cut:
		conn.Close()
		return nil, &DialError{Op: "tracker", Net: network, Addr: address, Err: net.ErrClosed}
	}
	if _, ok := conn.(halfCloser); ok {
		return c, nil
	}
	return &c.trackedConn, nil
}

// dialEntered dials for c, which is in its shard's bookkeeping, and takes
// it out again if the dial panics, so that the panic leaves nothing behind.
func (t *Tracker) dialEntered(ctx context.Context, c *trackedConn, network, address string) (net.Conn, error) {
	returned := false
	defer func() {
		if !returned {
			c.shard.remove(c)
		}
	}()
	conn, err := dialInner(ctx, t.dialer, network, address)
	returned = true
	return conn, err
}

// Dial is DialContext with [context.Background].
func (t *Tracker) Dial(network, address string) (net.Conn, error) {
	return t.DialContext(context.Background(), network, address)
}

// Unwrap returns the Dialer t tracks the connections of.
func (t *Tracker) Unwrap() []Dialer { return one(&t.dialer) }

// Open returns how many connections t handed out are open: one atomic load.
func (t *Tracker) Open() int { return int(t.open.Load()) }

// OpenTo returns how many connections t handed out to destination are open.
func (t *Tracker) OpenTo(destination string) int {
	shard := t.shard(destination)
	shard.mu.Lock()
	defer shard.mu.Unlock()
	return shard.destinations[destination].open
}

// Destinations yields each destination that has open connections, with
// their number, in no set order: for a metrics collector. It holds one
// shard's lock at a time, never while yielding, so the loop may dial or
// close through t.
func (t *Tracker) Destinations() iter.Seq2[string, int] {
	return func(yield func(string, int) bool) {
		type count struct {
			destination string
			open        int
		}
		var counts []count
		for i := range t.shards {
			shard := &t.shards[i]
			counts = counts[:0]
			shard.mu.Lock()
			for key, d := range shard.destinations {
				if d.open > 0 {
					counts = append(counts, count{key, d.open})
				}
			}
			shard.mu.Unlock()
			for _, c := range counts {
				if !yield(c.destination, c.open) {
					return
				}
			}
		}
	}
}

// shard returns the shard of destination key.
func (t *Tracker) shard(key string) *trackerShard {
	return &t.shards[maphash.String(t.seed, key)%trackerShards]
}

// enter adds c, whose dial is starting.
func (s *trackerShard) enter(c *trackedConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns[c] = struct{}{}
	d := s.destinations[c.key]
	d.conns++
	s.destinations[c.key] = d
}

// settle records how the dial of c ended: c leaves if it failed or was cut
// in flight, else it is open with conn. It reports whether c was cut.
func (s *trackerShard) settle(c *trackedConn, conn net.Conn, err error) (cut bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil || c.cut {
		s.leave(c)
		return c.cut
	}
	c.Conn = conn
	d := s.destinations[c.key]
	d.open++
	s.destinations[c.key] = d
	c.tracker.open.Add(1) // under the lock, so that a cut never makes Open negative
	return false
}

// remove takes c out under the shard's lock.
func (s *trackerShard) remove(c *trackedConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.leave(c)
}

// leave removes c, and its destination when that has nothing left, so that
// the bookkeeping never outgrows what is open or in flight. s.mu must be
// held.
func (s *trackerShard) leave(c *trackedConn) {
	delete(s.conns, c)
	d := s.destinations[c.key]
	d.conns--
	if c.Conn != nil {
		d.open--
		c.tracker.open.Add(-1)
	}
	if d.conns == 0 {
		delete(s.destinations, c.key)
		return
	}
	s.destinations[c.key] = d
}
