package faultnet

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"
)

// Handshake is a dialer for the servers of this package: it connects over
// TCP and then waits for the server's [Greeting] byte before returning the
// connection, like a TLS or SOCKS dialer waiting for its peer. A reset, a
// slow or a silent server therefore makes the dial itself fail or wait.
//
// Handshake honours ctx in both steps: once ctx is done it closes the
// connection and returns an error that matches ctx.Err() under errors.Is
// (and is a timeout when the deadline passed). Errors from the socket are
// returned as the *net.OpError the net package made.
//
// The zero value dials with a zero [net.Dialer]. A Handshake is safe for
// concurrent use by multiple goroutines.
type Handshake struct {
	// Dialer makes the TCP connection; nil means a zero net.Dialer.
	Dialer *net.Dialer
}

// DialContext connects to address and waits for the greeting.
func (h Handshake) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	d := h.Dialer
	if d == nil {
		d = &net.Dialer{}
	}
	c, err := d.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	// Wake the read below as soon as ctx is done.
	stop := context.AfterFunc(ctx, func() { c.SetReadDeadline(time.Unix(1, 0)) })
	var b [1]byte
	_, err = io.ReadFull(c, b[:])
	if !stop() {
		c.Close()
		return nil, &net.OpError{Op: "read", Net: network, Addr: c.RemoteAddr(), Err: ctx.Err()}
	}
	if err == io.EOF {
		err = &net.OpError{Op: "read", Net: network, Addr: c.RemoteAddr(), Err: io.ErrUnexpectedEOF}
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	if b[0] != Greeting {
		c.Close()
		return nil, fmt.Errorf("faultnet: %s %s: unexpected greeting %q", network, address, b[0])
	}
	return c, nil
}

// Dial is DialContext with context.Background().
func (h Handshake) Dial(network, address string) (net.Conn, error) {
	return h.DialContext(context.Background(), network, address)
}
