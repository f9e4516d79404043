package dialtest

import (
	"io"
	"net"
	"testing"

	"github.com/dialx/dialx/internal/loopback"
)

// EchoServer is a loopback TCP server that echoes what it reads. It counts
// the connections it accepted and those whose client closed them.
type EchoServer struct {
	addr  string
	conns *loopback.Tracker
}

// StartEcho starts an EchoServer on 127.0.0.1 and stops it when the test
// ends, waiting for every connection handler to return.
func StartEcho(tb testing.TB) *EchoServer {
	tb.Helper()
	ln := loopback.Listen(tb, "dialtest")
	s := &EchoServer{addr: ln.Addr().String(), conns: loopback.New()}
	s.conns.Serve(ln, func(c net.Conn) loopback.Ending {
		// io.Copy returns when the client closes its end (EOF) or resets.
		io.Copy(c, c)
		return loopback.ByClient
	})
	tb.Cleanup(s.Close)
	return s
}

// Addr is the server's host:port.
func (s *EchoServer) Addr() string { return s.addr }

// Accepted reports how many connections the server accepted.
func (s *EchoServer) Accepted() int { return s.conns.Accepted() }

// Finished reports how many accepted connections the client has closed.
func (s *EchoServer) Finished() int { return s.conns.ClientClosed() + s.conns.ServerClosed() }

// Close stops the listener, closes the connections still open (so a test
// that failed to close one does not hang here) and waits for the handlers.
func (s *EchoServer) Close() { s.conns.Close() }
