//go:build !linux

package faultnet

import (
	"net"
	"testing"
)

// HasBlackhole reports whether StartBlackhole works on this platform.
const HasBlackhole = false

// StartRefused returns an address on which nothing listens, so a connect
// fails with ECONNREFUSED. On this platform the port is found by listening
// and closing again, so another process could in principle take it.
func StartRefused(tb testing.TB) *Server {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("faultnet: refused: listen: %v", err)
	}
	s := newServer("refused")
	s.addr = ln.Addr().String()
	ln.Close()
	tb.Cleanup(s.Close)
	return s
}

// StartBlackhole skips the test: filling an accept queue to drop SYNs is
// done with Linux's listen backlog semantics only.
func StartBlackhole(tb testing.TB) *Server {
	tb.Helper()
	tb.Skip("faultnet: blackhole needs Linux accept-queue semantics")
	return nil
}
