package dialtest

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"
)

// EchoServer is a loopback TCP server that echoes what it reads. It counts
// the connections it accepted and those whose client closed them.
type EchoServer struct {
	ln       net.Listener
	wg       sync.WaitGroup
	mu       sync.Mutex
	accepted int
	finished int
	open     map[net.Conn]struct{}
}

// StartEcho starts an EchoServer on 127.0.0.1 and stops it when the test
// ends, waiting for every connection handler to return.
func StartEcho(tb testing.TB) *EchoServer {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("dialtest: listen: %v", err)
	}
	s := &EchoServer{ln: ln, open: make(map[net.Conn]struct{})}
	s.wg.Add(1)
	go s.serve()
	tb.Cleanup(s.Close)
	return s
}

// Addr is the server's host:port.
func (s *EchoServer) Addr() string { return s.ln.Addr().String() }

// Accepted reports how many connections the server accepted.
func (s *EchoServer) Accepted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted
}

// Finished reports how many accepted connections the client has closed.
func (s *EchoServer) Finished() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.finished
}

// Close stops the listener, closes the connections still open (so a test
// that failed to close one does not hang here) and waits for the handlers.
func (s *EchoServer) Close() {
	s.ln.Close()
	s.mu.Lock()
	for c := range s.open {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *EchoServer) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		s.mu.Lock()
		s.accepted++
		s.open[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go s.handle(c)
	}
}

func (s *EchoServer) handle(c net.Conn) {
	defer s.wg.Done()
	defer c.Close()
	// io.Copy returns when the client closes its end (EOF) or resets.
	io.Copy(c, c)
	s.mu.Lock()
	s.finished++
	delete(s.open, c)
	s.mu.Unlock()
}
