// Package loopback holds the bookkeeping that the test servers of dialx
// share: an accept loop on a loopback listener, the set of connections still
// open, counts of how connections ended, a wait for the server to go idle,
// and a Close that ends everything and waits for the handlers.
//
// Each test server (an echo server, a fault server, a SOCKS5 server) keeps
// only its own protocol: it hands [Tracker.Serve] a function that serves one
// connection and reports who ended it.
package loopback

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"
)

// Ending says who ended a connection.
type Ending int

const (
	// ByClient means the client closed (or reset) its end.
	ByClient Ending = iota
	// ByServer means the server ended the connection itself.
	ByServer
)

// Tracker runs the accept loop of a test server and keeps count of its
// connections: how many it accepted, which are still open, and how each
// ended. Close ends every connection still open, so a test that forgot to
// close one does not hang, and waits for the handlers to return.
//
// Use [New] to make one. A Tracker is safe for concurrent use by multiple
// goroutines.
type Tracker struct {
	done chan struct{} // closed by Close
	wg   sync.WaitGroup

	mu           sync.Mutex
	changed      chan struct{} // closed and replaced whenever a count changes
	open         map[net.Conn]struct{}
	listeners    []net.Listener
	accepted     int
	clientClosed int
	serverClosed int
	closing      bool
}

// New returns a Tracker with no listener and no connection.
func New() *Tracker {
	return &Tracker{
		done:    make(chan struct{}),
		changed: make(chan struct{}),
		open:    make(map[net.Conn]struct{}),
	}
}

// Listen opens a TCP listener on a free port of 127.0.0.1, failing the test
// (with prefix in the message) if it cannot.
func Listen(tb testing.TB, prefix string) net.Listener {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("%s: listen: %v", prefix, err)
	}
	return ln
}

// Serve accepts connections from ln until Close, and serves each in its own
// goroutine with handle, which reports who ended the connection. Serve
// returns at once; Close closes ln. Connections accepted while the Tracker
// is closing are closed without being served or counted.
func (t *Tracker) Serve(ln net.Listener, handle func(net.Conn) Ending) {
	t.mu.Lock()
	t.listeners = append(t.listeners, ln)
	closing := t.closing
	t.mu.Unlock()
	if closing {
		ln.Close()
		return
	}
	t.wg.Add(1)
	go t.acceptLoop(ln, handle)
}

func (t *Tracker) acceptLoop(ln net.Listener, handle func(net.Conn) Ending) {
	defer t.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of descriptors under load, or an aborted handshake:
			// the listener is still good.
			select {
			case <-t.done:
				return
			case <-time.After(time.Millisecond):
			}
			continue
		}
		t.mu.Lock()
		if t.closing {
			t.mu.Unlock()
			c.Close()
			return
		}
		t.accepted++
		t.open[c] = struct{}{}
		t.notifyLocked()
		t.mu.Unlock()
		t.wg.Add(1)
		go func() {
			defer t.wg.Done()
			t.finish(c, handle(c))
		}()
	}
}

// finish closes c and counts how it ended; one still open when Close was
// called counts as ended by the server.
func (t *Tracker) finish(c net.Conn, how Ending) {
	c.Close()
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.open[c]; !ok {
		return
	}
	delete(t.open, c)
	if how == ByServer || t.closing {
		t.serverClosed++
	} else {
		t.clientClosed++
	}
	t.notifyLocked()
}

// Hold adds c, a connection the server made itself (such as the upstream
// side of a relay), to the open set so that Close ends it too. It is counted
// by Open but not by Accepted. Hold reports false, and holds nothing, if the
// Tracker is closing. Release undoes it.
func (t *Tracker) Hold(c net.Conn) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closing {
		return false
	}
	t.open[c] = struct{}{}
	t.notifyLocked()
	return true
}

// Release removes from the open set a connection added by Hold.
func (t *Tracker) Release(c net.Conn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.open, c)
	t.notifyLocked()
}

// Accepted reports how many connections the accept loops accepted.
func (t *Tracker) Accepted() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.accepted
}

// ClientClosed reports how many accepted connections ended because the
// client closed (or reset) its end.
func (t *Tracker) ClientClosed() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.clientClosed
}

// ServerClosed reports how many accepted connections the server ended
// itself, including those still open when Close was called.
func (t *Tracker) ServerClosed() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.serverClosed
}

// Open reports how many connections (accepted or held) have not ended yet.
func (t *Tracker) Open() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.open)
}

// WaitIdle waits until no connection is open, and returns an error giving
// the count still open if that takes longer than timeout. A client closing
// its end is seen by the server a moment later, hence the wait.
func (t *Tracker) WaitIdle(timeout time.Duration) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		t.mu.Lock()
		open, changed := len(t.open), t.changed
		t.mu.Unlock()
		if open == 0 {
			return nil
		}
		select {
		case <-changed:
		case <-timer.C:
			return fmt.Errorf("%d connection(s) still open after %v", open, timeout)
		}
	}
}

// Close closes the listeners and every connection still open, and waits for
// the accept loops and handlers to return. It reports whether this call was
// the first; later calls only wait.
func (t *Tracker) Close() bool {
	t.mu.Lock()
	if t.closing {
		t.mu.Unlock()
		t.wg.Wait()
		return false
	}
	t.closing = true
	close(t.done)
	for c := range t.open {
		c.Close()
	}
	listeners := t.listeners
	t.mu.Unlock()
	for _, ln := range listeners {
		ln.Close()
	}
	t.wg.Wait()
	return true
}

// notifyLocked wakes WaitIdle; t.mu must be held.
func (t *Tracker) notifyLocked() {
	close(t.changed)
	t.changed = make(chan struct{})
}
