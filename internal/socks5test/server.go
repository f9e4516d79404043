// Package socks5test is a small SOCKS5 server (RFC 1928) for tests: it
// listens on 127.0.0.1, speaks the CONNECT command without authentication,
// and only connects to loopback destinations, so a test that routes through
// it can never reach beyond the machine.
package socks5test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/dialx/dialx/internal/loopback"
)

// Reply codes of RFC 1928, section 6.
const (
	replySucceeded     = 0x00
	replyNotAllowed    = 0x02
	replyRefused       = 0x05
	replyNoCommand     = 0x07
	replyNoAddressType = 0x08
)

// Server is a running SOCKS5 server. Start makes one and registers Close
// with the test's Cleanup.
type Server struct {
	addr  string
	conns *loopback.Tracker

	mu       sync.Mutex
	connects int
	refusals int
}

// Start starts a server on 127.0.0.1.
func Start(tb testing.TB) *Server {
	tb.Helper()
	ln := loopback.Listen(tb, "socks5test")
	s := &Server{addr: ln.Addr().String(), conns: loopback.New()}
	s.conns.Serve(ln, func(c net.Conn) loopback.Ending {
		s.handle(c)
		return loopback.ByClient
	})
	tb.Cleanup(s.Close)
	return s
}

// Addr is the server's address, "127.0.0.1:port".
func (s *Server) Addr() string { return s.addr }

// Accepted reports how many client connections the server accepted.
func (s *Server) Accepted() int { return s.conns.Accepted() }

// Connects reports how many CONNECT requests succeeded.
func (s *Server) Connects() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connects
}

// Refusals reports how many requests the server answered with an error
// reply (destination not loopback, destination refused, bad request).
func (s *Server) Refusals() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refusals
}

// Open reports how many client connections have not ended yet.
func (s *Server) Open() int { return s.conns.Open() }

// WaitIdle waits until every client connection has ended, or returns an
// error after timeout.
func (s *Server) WaitIdle(timeout time.Duration) error {
	if err := s.conns.WaitIdle(timeout); err != nil {
		return fmt.Errorf("socks5test: %w", err)
	}
	return nil
}

// Close stops the listener, ends every relayed connection and waits for the
// server's goroutines. It is safe to call more than once.
func (s *Server) Close() { s.conns.Close() }

func (s *Server) count(reply byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if reply == replySucceeded {
		s.connects++
	} else {
		s.refusals++
	}
}

// handle runs one client session: method negotiation, request, relay.
func (s *Server) handle(c net.Conn) {
	noAuth, err := readGreeting(c)
	if err != nil {
		return
	}
	if !noAuth {
		c.Write([]byte{5, 0xff})
		return
	}
	if _, err := c.Write([]byte{5, 0x00}); err != nil {
		return
	}
	req, err := readRequest(c)
	if errors.Is(err, errAddressType) {
		s.reply(c, replyNoAddressType, nil)
		return
	}
	if err != nil {
		return
	}
	if req.cmd != cmdConnect {
		s.reply(c, replyNoCommand, nil)
		return
	}
	ip, allowed := loopbackIP(req.host)
	if !allowed {
		s.reply(c, replyNotAllowed, nil)
		return
	}
	dst := netip.AddrPortFrom(ip, req.port)
	upstream, err := net.DialTimeout("tcp", dst.String(), 5*time.Second)
	if err != nil {
		s.reply(c, replyRefused, nil)
		return
	}
	defer upstream.Close()
	// Close must also end the upstream side of the relay.
	if !s.conns.Hold(upstream) {
		return
	}
	defer s.conns.Release(upstream)
	if !s.reply(c, replySucceeded, upstream.LocalAddr()) {
		return
	}
	relay(c, upstream)
}

// loopbackIP resolves host without any lookup: a loopback IP, or "localhost".
func loopbackIP(host string) (netip.Addr, bool) {
	if host == "localhost" {
		return netip.AddrFrom4([4]byte{127, 0, 0, 1}), true
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.IsLoopback() {
		return netip.Addr{}, false
	}
	return ip.Unmap(), true
}

// reply writes VER REP RSV ATYP BND.ADDR BND.PORT and counts the outcome.
func (s *Server) reply(c net.Conn, code byte, bound net.Addr) bool {
	s.count(code)
	msg := []byte{5, code, 0, 0x01, 0, 0, 0, 0, 0, 0}
	if ta, ok := bound.(*net.TCPAddr); ok {
		if ip4 := ta.IP.To4(); ip4 != nil {
			copy(msg[4:8], ip4)
			msg[8], msg[9] = byte(ta.Port>>8), byte(ta.Port)
		}
	}
	_, err := c.Write(msg)
	return err == nil
}

// copyPlain copies like io.Copy but never through splice(2), whose pooled
// pipes would blur the file descriptor counts of tests.
func copyPlain(dst io.Writer, src io.Reader) {
	buf := make([]byte, 4096)
	io.CopyBuffer(struct{ io.Writer }{dst}, struct{ io.Reader }{src}, buf)
}

// relay copies both ways until either side ends, then ends both.
func relay(a, b net.Conn) {
	done := make(chan struct{}, 2)
	go func() { copyPlain(a, b); done <- struct{}{} }()
	go func() { copyPlain(b, a); done <- struct{}{} }()
	<-done
	a.Close()
	b.Close()
	<-done
}
