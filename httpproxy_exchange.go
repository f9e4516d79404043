package dialx

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// exchange makes the CONNECT exchange for address over conn, the
// connection to the proxy, bounded by ctx, and returns the tunnel; it
// closes conn if the exchange fails.
func (p *HTTPProxy) exchange(ctx context.Context, conn net.Conn, address string) (net.Conn, error) {
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	// A ctx that ends midway fails the dial whatever comes of the exchange,
	// so it closes conn: that wakes the reads and writes below on any
	// connection, one whose SetDeadline fails (an SSH channel's) too. done
	// tells when it is closed, so that conn is closed once.
	done := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		conn.Close()
		close(done)
	})
	tunnel, status, err := p.connect(conn, address)
	if !stop() {
		<-done
		return nil, &ProxyError{Proxy: p.proxy, Err: ctx.Err()}
	}
	if err != nil && expired(ctx) {
		// The deadline set above fired a moment before ctx did.
		err = context.DeadlineExceeded
	}
	if err == nil {
		err = conn.SetDeadline(time.Time{})
	}
	if err != nil || status != 0 {
		conn.Close()
		return nil, &ProxyError{Proxy: p.proxy, StatusCode: status, Err: err}
	}
	return tunnel, nil
}

// connect makes the TLS handshake with an https:// proxy, sends the
// CONNECT request and reads the answer: the tunnel, or the status of an
// answer that refused it, or why there was no answer.
func (p *HTTPProxy) connect(conn net.Conn, address string) (tunnel net.Conn, status int, err error) {
	if p.tls != nil {
		secure := tls.Client(conn, p.tls)
		if err := secure.Handshake(); err != nil {
			return nil, 0, fmt.Errorf("TLS handshake: %w", err)
		}
		conn = secure
	}
	// Without an Opaque URL the request-target is the Host header's form
	// of address (an IDN in punycode, no IPv6 zone), which Write checks:
	// the request line must be ASCII and agree with the Host header.
	request := &http.Request{
		Method: http.MethodConnect,
		URL:    &url.URL{},
		Host:   address,
		Header: p.header(),
	}
	if err := request.Write(conn); err != nil {
		return nil, 0, err
	}
	// The answer is read through a limit, so a proxy that never ends its
	// header cannot make the dial buffer without bound.
	limited := &io.LimitedReader{R: conn, N: maxProxyHeader}
	reader := bufio.NewReader(limited)
	response, err := http.ReadResponse(reader, request)
	switch {
	case err != nil && limited.N == 0:
		return nil, 0, fmt.Errorf("answer has more than %d bytes of header", maxProxyHeader)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return nil, 0, errClosedEarly
	case err != nil:
		return nil, 0, err
	case response.StatusCode/100 != 2:
		// RFC 9110 takes any 2xx as the tunnel's start, as curl does.
		return nil, response.StatusCode, nil
	}
	// The body of a 2xx answer to CONNECT is the tunnel: what the proxy
	// sent after its header is the destination's first bytes.
	if n := reader.Buffered(); n > 0 {
		early, _ := reader.Peek(n)
		tunnel := &earlyConn{Conn: conn, early: bytes.Clone(early)}
		if _, ok := conn.(halfCloser); ok {
			// Whether bytes came with the answer is chance: the tunnel
			// half-closes as the connection does either way.
			return &halfClosingEarlyConn{tunnel}, 0, nil
		}
		return tunnel, 0, nil
	}
	return conn, 0, nil
}

// errClosedEarly is the cause of a dial whose proxy closed the connection
// before its answer ended.
var errClosedEarly = fmt.Errorf("closed the connection before its answer ended: %w", io.ErrUnexpectedEOF)

// earlyConn is a tunnel whose proxy sent bytes right after its answer, which
// were read with it: Read returns them first.
type earlyConn struct {
	net.Conn
	mu    sync.Mutex
	early []byte
}

func (c *earlyConn) Read(b []byte) (int, error) {
	c.mu.Lock()
	if len(c.early) > 0 {
		n := copy(b, c.early)
		c.early = c.early[n:]
		c.mu.Unlock()
		return n, nil
	}
	c.mu.Unlock()
	return c.Conn.Read(b)
}

// NetConn returns the connection to the proxy, as [crypto/tls.Conn.NetConn]
// does.
func (c *earlyConn) NetConn() net.Conn { return c.Conn }

// halfClosingEarlyConn is an earlyConn over a halfCloser, so that it is one
// too.
type halfClosingEarlyConn struct{ *earlyConn }

// CloseRead shuts down the reading side of the connection to the proxy.
func (c halfClosingEarlyConn) CloseRead() error { return c.Conn.(halfCloser).CloseRead() }

// CloseWrite shuts down the writing side of the connection to the proxy.
func (c halfClosingEarlyConn) CloseWrite() error { return c.Conn.(halfCloser).CloseWrite() }
