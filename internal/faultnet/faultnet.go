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
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"
)

// Greeting is the byte a server writes first on every connection it serves.
const Greeting = '+'

// Server is one misbehaving loopback server. Use the Start functions to make
// one; they register Close with the test's Cleanup.
type Server struct {
	name string
	addr string

	ln     net.Listener          // nil for servers that never accept
	handle func(net.Conn) ending // serves one accepted connection
	decide func() bool           // reports whether the next connection should fail
	stop   func()                // releases the raw sockets of Refused and Blackhole
	done   chan struct{}         // closed by Close
	wg     sync.WaitGroup

	mu           sync.Mutex
	changed      chan struct{} // closed and replaced whenever a count changes
	open         map[net.Conn]struct{}
	accepted     int
	clientClosed int
	serverClosed int
	failed       int
	closing      bool
}

func newServer(name string) *Server {
	return &Server{
		name:    name,
		done:    make(chan struct{}),
		changed: make(chan struct{}),
		open:    make(map[net.Conn]struct{}),
	}
}

// Name is the kind of fault, for test names and tables: "refused",
// "blackhole", "reset", "slow", "silent", "flaky" or "echo".
func (s *Server) Name() string { return s.name }

// Addr is the server's address, "127.0.0.1:port".
func (s *Server) Addr() string { return s.addr }

// String returns the name and address.
func (s *Server) String() string { return s.name + "@" + s.addr }

// Accepted reports how many connections the server accepted.
func (s *Server) Accepted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted
}

// ClientClosed reports how many accepted connections ended because the client
// closed (or reset) its end.
func (s *Server) ClientClosed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clientClosed
}

// ServerClosed reports how many accepted connections the server ended itself:
// the resets of Reset and Flaky, and those still open when Close was called.
func (s *Server) ServerClosed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.serverClosed
}

// Failed reports how many connections Flaky chose to fail.
func (s *Server) Failed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

// Open reports how many accepted connections have not ended yet.
func (s *Server) Open() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.open)
}

// WaitIdle waits until every accepted connection has ended, and returns an
// error naming the server and the count still open if that takes longer than
// timeout. A client closing its end is seen by the server a moment later,
// hence the wait.
func (s *Server) WaitIdle(timeout time.Duration) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		open, changed := len(s.open), s.changed
		s.mu.Unlock()
		if open == 0 {
			return nil
		}
		select {
		case <-changed:
		case <-timer.C:
			return fmt.Errorf("faultnet: %s: %d connection(s) still open after %v", s, open, timeout)
		}
	}
}

// Close stops the server: it closes the listener and every connection still
// open, and waits for the server's goroutines to return. It is safe to call
// more than once.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		s.wg.Wait()
		return
	}
	s.closing = true
	close(s.done)
	for c := range s.open {
		c.Close()
	}
	s.mu.Unlock()
	if s.ln != nil {
		s.ln.Close()
	}
	if s.stop != nil {
		s.stop()
	}
	s.wg.Wait()
}

// notifyLocked wakes WaitIdle; s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// listen starts the accept loop of a server that serves each connection with
// s.handle.
func (s *Server) listen(tb testing.TB) *Server {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("faultnet: %s: listen: %v", s.name, err)
	}
	s.ln = ln
	s.addr = ln.Addr().String()
	s.wg.Add(1)
	go s.acceptLoop()
	tb.Cleanup(s.Close)
	return s
}

func (s *Server) acceptLoop() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of descriptors under load, or an aborted handshake:
			// the listener is still good.
			select {
			case <-s.done:
				return
			case <-time.After(time.Millisecond):
			}
			continue
		}
		fail := s.decide != nil && s.decide()
		s.mu.Lock()
		if s.closing {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.accepted++
		if fail {
			s.failed++
		}
		s.open[c] = struct{}{}
		s.notifyLocked()
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if fail {
				s.finish(c, reset(c))
				return
			}
			s.finish(c, s.handle(c))
		}()
	}
}

// ending says who ended a connection.
type ending int

const (
	byClient ending = iota
	byServer
)

func (s *Server) finish(c net.Conn, how ending) {
	c.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.open[c]; !ok {
		return
	}
	delete(s.open, c)
	if how == byServer || s.closing {
		s.serverClosed++
	} else {
		s.clientClosed++
	}
	s.notifyLocked()
}
