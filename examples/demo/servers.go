package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"

	"github.com/dialx/dialx"
)

// server is a loopback TCP server that greets every connection with its
// name, so the demo can tell which server a stack connected to.
type server struct {
	name string
	ln   net.Listener
	wg   sync.WaitGroup
	mu   sync.Mutex
	open map[net.Conn]struct{}
}

// startServer starts a server named name on 127.0.0.1.
func startServer(name string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &server{name: name, ln: ln, open: make(map[net.Conn]struct{})}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

func (s *server) addr() string { return s.ln.Addr().String() }

func (s *server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		s.mu.Lock()
		s.open[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go s.handle(c)
	}
}

// handle greets, then waits for the client to hang up.
func (s *server) handle(c net.Conn) {
	defer s.wg.Done()
	fmt.Fprintf(c, "%s\n", s.name)
	io.Copy(io.Discard, c)
	c.Close()
	s.mu.Lock()
	delete(s.open, c)
	s.mu.Unlock()
}

// close stops the listener, ends the connections still open and waits for
// every handler to return.
func (s *server) close() {
	s.ln.Close()
	s.mu.Lock()
	for c := range s.open {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// refusedAddr returns a loopback address where nothing listens: the port of
// a listener that was opened and closed again.
func refusedAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a refused port: %w", err)
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// route returns a Dialer that connects to addr whatever address it is asked
// for, the way a route to one backend or through one proxy would. The
// addresses the demo dials are names that are never resolved.
func route(addr string) dialx.Dialer {
	var d net.Dialer
	return dialx.DialerFunc(func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	})
}

// greeting reads the name of the server at the other end of conn and
// closes conn.
func greeting(conn net.Conn) (string, error) {
	defer conn.Close()
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("read greeting: %w", err)
	}
	return strings.TrimSpace(line), nil
}
