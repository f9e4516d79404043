// Package faultnet starts loopback TCP servers that misbehave on purpose, so
// tests and benchmarks can prove how dialers cope with real network faults:
// a refused port, a listener that never completes a handshake, resets, slow
// and silent peers, and a server that fails a seeded fraction of connections.
//
// Every server is a real socket on 127.0.0.1 that the test starts and that
// is stopped when the test ends. Healthy connections follow one tiny
// protocol: the server first writes the byte [Greeting], then echoes what it
// reads. [Handshake] is the matching dialer: it connects and waits for the
// greeting, the way a TLS or SOCKS dialer waits for its peer, so faults that
// happen after the TCP handshake (reset, slow, silent) show up as dial
// errors.
//
// Each [Server] counts the connections it accepted and how each ended, so a
// test can wait for [Server.WaitIdle] and know that no connection was left
// open. [FDCount] counts the process's open file descriptors where the
// platform exposes them.
package faultnet

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dialx/dialx/internal/loopback"
)

// Greeting is the byte a server writes first on every connection it serves.
const Greeting = '+'

// Server is one misbehaving loopback server. Use the Start functions to make
// one; they register Close with the test's Cleanup.
type Server struct {
	name string
	addr string

	conns    *loopback.Tracker
	handle   func(net.Conn) loopback.Ending // serves one accepted connection
	decide   func() bool                    // reports whether the next connection should fail
	stop     func()                         // releases the raw sockets of Refused and Blackhole
	stopOnce sync.Once
	failed   atomic.Int64
}

func newServer(name string) *Server {
	return &Server{name: name, conns: loopback.New()}
}

// Name is the kind of fault, for test names and tables: "refused",
// "blackhole", "reset", "slow", "silent", "flaky" or "echo".
func (s *Server) Name() string { return s.name }

// Addr is the server's address, "127.0.0.1:port".
func (s *Server) Addr() string { return s.addr }

// String returns the name and address.
func (s *Server) String() string { return s.name + "@" + s.addr }

// Accepted reports how many connections the server accepted.
func (s *Server) Accepted() int { return s.conns.Accepted() }

// ClientClosed reports how many accepted connections ended because the client
// closed (or reset) its end.
func (s *Server) ClientClosed() int { return s.conns.ClientClosed() }

// ServerClosed reports how many accepted connections the server ended itself:
// the resets of Reset and Flaky, and those still open when Close was called.
func (s *Server) ServerClosed() int { return s.conns.ServerClosed() }

// Failed reports how many connections Flaky chose to fail.
func (s *Server) Failed() int { return int(s.failed.Load()) }

// Open reports how many accepted connections have not ended yet.
func (s *Server) Open() int { return s.conns.Open() }

// WaitIdle waits until every accepted connection has ended, and returns an
// error naming the server and the count still open if that takes longer than
// timeout. A client closing its end is seen by the server a moment later,
// hence the wait.
func (s *Server) WaitIdle(timeout time.Duration) error {
	if err := s.conns.WaitIdle(timeout); err != nil {
		return fmt.Errorf("faultnet: %s: %w", s, err)
	}
	return nil
}

// Close stops the server: it closes the listener and every connection still
// open, and waits for the server's goroutines to return. It is safe to call
// more than once.
func (s *Server) Close() {
	s.conns.Close()
	if s.stop != nil {
		s.stopOnce.Do(s.stop)
	}
}

// listen starts the accept loop of a server that serves each connection with
// s.handle, or, for those s.decide chooses to fail, with a reset.
func (s *Server) listen(tb testing.TB) *Server {
	tb.Helper()
	ln := loopback.Listen(tb, "faultnet: "+s.name)
	s.addr = ln.Addr().String()
	handle := s.handle
	if s.decide != nil {
		d := &decidingListener{Listener: ln, decide: s.decide, fail: make(map[net.Conn]bool)}
		ln = d
		handle = func(c net.Conn) loopback.Ending {
			if d.failing(c) {
				s.failed.Add(1)
				return reset(c)
			}
			return s.handle(c)
		}
	}
	s.conns.Serve(ln, handle)
	tb.Cleanup(s.Close)
	return s
}

// decidingListener asks decide about each connection as it is accepted, so
// that the outcomes follow accept order whatever the handlers' scheduling.
type decidingListener struct {
	net.Listener
	decide func() bool

	mu   sync.Mutex
	fail map[net.Conn]bool
}

func (l *decidingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if l.decide() {
		l.mu.Lock()
		l.fail[c] = true
		l.mu.Unlock()
	}
	return c, nil
}

// failing reports, once, whether c was chosen to fail.
func (l *decidingListener) failing(c net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	fail := l.fail[c]
	delete(l.fail, c)
	return fail
}
