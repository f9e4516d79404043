//go:build linux

package faultnet

import (
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// HasBlackhole reports whether StartBlackhole works on this platform.
const HasBlackhole = true

// StartRefused returns an address on which nothing listens, so a connect
// gets a TCP reset at once and fails with ECONNREFUSED. The port stays bound
// (to a socket that never listens) until the test ends, so no other process
// can start listening on it meanwhile.
func StartRefused(tb testing.TB) *Server {
	tb.Helper()
	fd, addr := boundSocket(tb, "refused")
	s := newServer("refused")
	s.addr = addr
	s.stop = func() { syscall.Close(fd) }
	tb.Cleanup(s.Close)
	return s
}

// StartBlackhole returns a listener whose accept queue is full, so that a
// connect to it hangs until the dialer gives up, as it does for a host that
// drops packets.
//
// How: the socket listens with a backlog of 0 and never accepts. Linux keeps
// completed handshakes in an accept queue and counts it full once it holds
// more than the backlog, that is one connection. StartBlackhole makes that
// one connection itself (the filler). From then on the kernel drops every
// incoming SYN without an answer, so the client's connect stays in SYN-SENT
// and retransmits until its context ends; nothing is ever accepted and no
// server-side socket is created for it. The queue length is read back with
// TCP_INFO to make sure the queue is full before the address is handed out.
//
// StartBlackhole skips the test on platforms other than Linux.
func StartBlackhole(tb testing.TB) *Server {
	tb.Helper()
	fd, addr := boundSocket(tb, "blackhole")
	s := newServer("blackhole")
	s.addr = addr
	var fillers []net.Conn
	s.stop = func() {
		syscall.Close(fd)
		for _, c := range fillers {
			c.Close()
		}
	}
	tb.Cleanup(s.Close)
	if err := syscall.Listen(fd, 0); err != nil {
		tb.Fatalf("faultnet: blackhole: listen: %v", err)
	}
	for !acceptQueueFull(tb, fd) {
		if len(fillers) == 4 {
			tb.Fatalf("faultnet: blackhole: accept queue still not full after %d connections", len(fillers))
		}
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			tb.Fatalf("faultnet: blackhole: filling the accept queue: %v", err)
		}
		fillers = append(fillers, c)
		waitQueued(tb, fd, len(fillers))
	}
	return s
}

// boundSocket makes a TCP socket bound to a free port of 127.0.0.1.
func boundSocket(tb testing.TB, name string) (int, string) {
	tb.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		tb.Fatalf("faultnet: %s: socket: %v", name, err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		syscall.Close(fd)
		tb.Fatalf("faultnet: %s: bind: %v", name, err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		syscall.Close(fd)
		tb.Fatalf("faultnet: %s: getsockname: %v", name, err)
	}
	in4 := sa.(*syscall.SockaddrInet4)
	return fd, netip.AddrPortFrom(netip.AddrFrom4(in4.Addr), uint16(in4.Port)).String()
}

// acceptQueue reads the accept queue's length and limit of a listening
// socket: for listeners, TCP_INFO reports them in tcpi_unacked and
// tcpi_sacked, the 32-bit fields at offsets 24 and 28 of struct tcp_info.
func acceptQueue(tb testing.TB, fd int) (length, limit uint32) {
	tb.Helper()
	var info [104]byte
	size := uint32(len(info))
	_, _, errno := syscall.Syscall6(syscall.SYS_GETSOCKOPT, uintptr(fd),
		syscall.IPPROTO_TCP, syscall.TCP_INFO,
		uintptr(unsafe.Pointer(&info[0])), uintptr(unsafe.Pointer(&size)), 0)
	if errno != 0 {
		tb.Fatalf("faultnet: blackhole: getsockopt TCP_INFO: %v", errno)
	}
	length = *(*uint32)(unsafe.Pointer(&info[24]))
	limit = *(*uint32)(unsafe.Pointer(&info[28]))
	return length, limit
}

// acceptQueueFull mirrors the kernel's test: full when length > limit.
func acceptQueueFull(tb testing.TB, fd int) bool {
	tb.Helper()
	length, limit := acceptQueue(tb, fd)
	return length > limit
}

// waitQueued waits for the kernel to queue the filler connections: the
// client's connect returns when it sent its ACK, a moment before the server
// side has processed it.
func waitQueued(tb testing.TB, fd int, want int) {
	tb.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		if length, _ := acceptQueue(tb, fd); int(length) >= want {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("faultnet: blackhole: filler connection never reached the accept queue")
		}
		time.Sleep(time.Millisecond)
	}
}
