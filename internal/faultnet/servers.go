package faultnet

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/dialx/dialx/internal/loopback"
)

// StartEcho starts a healthy server: it greets each connection and echoes
// what it reads until the client closes.
func StartEcho(tb testing.TB) *Server {
	tb.Helper()
	s := newServer("echo")
	s.handle = echo
	return s.listen(tb)
}

// StartReset starts a server that accepts each connection and closes it at
// once with SO_LINGER 0, so the kernel sends a TCP reset instead of a normal
// close. The kernel completes the handshake before the server accepts, so a
// bare connect usually succeeds and the first read fails with ECONNRESET; if
// the reset arrives before the connect call has returned, the connect itself
// fails with ECONNRESET.
func StartReset(tb testing.TB) *Server {
	tb.Helper()
	s := newServer("reset")
	s.handle = reset
	return s.listen(tb)
}

// StartSlow starts a server that serves each connection like StartEcho but
// only after delay, as if the application were slow to accept. The kernel
// completes the TCP handshake without waiting for the application, so a bare
// connect succeeds at once; the delay shows as the time to the greeting,
// which is what [Handshake] waits for. A client that closes during the delay
// is noticed at once.
func StartSlow(tb testing.TB, delay time.Duration) *Server {
	tb.Helper()
	s := newServer("slow")
	s.handle = func(c net.Conn) loopback.Ending {
		// Wait out the delay in a read, so that a client that gives up
		// meanwhile is noticed at once; a byte it sent early is echoed
		// after the greeting.
		c.SetReadDeadline(time.Now().Add(delay))
		var early [1]byte
		n, err := c.Read(early[:])
		c.SetReadDeadline(time.Time{})
		if ne, ok := err.(net.Error); err != nil && !(ok && ne.Timeout()) {
			return loopback.ByClient
		}
		if _, err := c.Write(append([]byte{Greeting}, early[:n]...)); err != nil {
			return loopback.ByClient
		}
		copyPlain(c, c)
		return loopback.ByClient
	}
	return s.listen(tb)
}

// StartSilent starts a server that accepts each connection and never writes
// to it. It reads and discards what the client sends, only to notice when
// the client closes.
func StartSilent(tb testing.TB) *Server {
	tb.Helper()
	s := newServer("silent")
	s.handle = func(c net.Conn) loopback.Ending {
		copyPlain(io.Discard, c)
		return loopback.ByClient
	}
	return s.listen(tb)
}

// StartFlaky starts a server that resets (as StartReset) a fraction
// failFraction of the connections it accepts and serves the others like
// StartEcho. Which connections fail is decided in accept order by a
// generator seeded with seed, so the sequence of outcomes is the same on
// every run; under concurrent dials, which client gets which outcome is up
// to the scheduler, but the number of failures among n accepted connections
// is not.
//
// A listening socket cannot refuse one connection and accept the next, so
// the failures are resets after the TCP handshake; a test that needs
// refusals mixed in dials a [StartRefused] address as well.
//
// StartFlaky panics if failFraction is not within [0, 1].
func StartFlaky(tb testing.TB, failFraction float64, seed uint64) *Server {
	tb.Helper()
	if !(failFraction >= 0 && failFraction <= 1) {
		panic(fmt.Sprintf("faultnet: StartFlaky: failFraction must be within [0, 1], got %v", failFraction))
	}
	s := newServer("flaky")
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(seed, seed))
	s.decide = func() bool {
		mu.Lock()
		defer mu.Unlock()
		return rng.Float64() < failFraction
	}
	s.handle = echo
	return s.listen(tb)
}

// echo greets, then copies the client's bytes back until it closes.
func echo(c net.Conn) loopback.Ending {
	if _, err := c.Write([]byte{Greeting}); err != nil {
		return loopback.ByClient
	}
	copyPlain(c, c)
	return loopback.ByClient
}

// copyPlain copies like io.Copy but never through splice(2): for TCP to TCP,
// io.Copy splices through pipes that the runtime pools and releases only at
// garbage collection, which would blur the file descriptor counts the tests
// compare.
func copyPlain(dst io.Writer, src io.Reader) {
	buf := make([]byte, 4096)
	io.CopyBuffer(struct{ io.Writer }{dst}, struct{ io.Reader }{src}, buf)
}

// reset closes c so that the peer sees a reset rather than an orderly end.
func reset(c net.Conn) loopback.Ending {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
	return loopback.ByServer
}
