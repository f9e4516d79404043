package dialx

import (
	"net"
	"sync/atomic"
)

// trackedConn is a connection a [Tracker] handed out: the inner one, with a
// Close that takes it out of the Tracker's bookkeeping once.
type trackedConn struct {
	net.Conn // nil while the dial is in flight; set under the shard's lock

	tracker *Tracker
	shard   *trackerShard // its destination's
	key     string        // its destination
	via     Dialer        // the Dialer it was made through
	cut     bool          // a Close method selected it in flight; guarded by the shard's lock
	closed  atomic.Bool   // it has left the bookkeeping
}

// Close takes the connection out of the Tracker's bookkeeping, the first
// time, and closes the inner connection.
func (c *trackedConn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		c.shard.remove(c)
	}
	return c.Conn.Close()
}

// NetConn returns the inner connection, as [crypto/tls.Conn.NetConn] does.
func (c *trackedConn) NetConn() net.Conn { return c.Conn }

// halfCloser is a connection that closes one direction at a time, as a
// *net.TCPConn and a *net.UnixConn do; proxies type-assert on it.
type halfCloser interface {
	CloseRead() error
	CloseWrite() error
}

// halfClosingConn is a trackedConn whose inner connection is a halfCloser,
// so that the wrapper is one too. A Tracker allocates one for every dial and
// hands out its trackedConn alone when the inner connection is not a
// halfCloser: one allocation either way.
type halfClosingConn struct {
	trackedConn
}

// CloseRead shuts down the reading side of the inner connection.
func (c *halfClosingConn) CloseRead() error { return c.Conn.(halfCloser).CloseRead() }

// CloseWrite shuts down the writing side of the inner connection.
func (c *halfClosingConn) CloseWrite() error { return c.Conn.(halfCloser).CloseWrite() }
