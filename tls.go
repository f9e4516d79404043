package dialx

import (
	"context"
	"crypto/tls"
	"net"
	"strings"
	"sync/atomic"
	"time"
)

// TLS makes a TLS client handshake over the connection its inner Dialer
// returns, so that TLS runs over any stack (a [Timeout], a [Repeat], a proxy)
// where [tls.Dialer] takes only a [*net.Dialer]. The connection it returns
// is a [*tls.Conn] whose handshake is done; read its ConnectionState.
//
// The handshake is bounded by the dial's ctx. When the config leaves
// ServerName empty, the host of the dialed address is the name sent and
// verified, as [tls.Dialer] does. A failed handshake closes the connection
// and returns a [*DialError] with Op "tls" naming the address; its cause
// stays reachable with [errors.As] (a certificate that does not verify is a
// [*tls.CertificateVerificationError]), and one cut short by ctx matches
// ctx.Err(). Each handshake is traced as an Event{Op: "tls", Kind:
// "handshake"}.
//
// Use [NewTLS] to make one; the zero value is not usable.
// A TLS is safe for concurrent use by multiple goroutines.
type TLS struct {
	dialer Dialer
	config *tls.Config // a copy of the caller's
	// last is the config for the host dialed last when config names no
	// server: a client dials the same host over and over, and the copy
	// that names it is made once instead of on every dial.
	last atomic.Pointer[hostConfig]
}

// hostConfig is a copy of a TLS's config with ServerName set to host.
type hostConfig struct {
	host   string
	config *tls.Config
}

// NewTLS returns a TLS that dials through d and makes the handshake with a
// copy of config: later changes to config have no effect, and config itself
// is never modified. A nil config is the zero configuration, as for
// [tls.Client]. It panics if d is nil.
func NewTLS(d Dialer, config *tls.Config) *TLS {
	mustDialer("NewTLS", d)
	if config == nil {
		config = &tls.Config{}
	}
	return &TLS{dialer: d, config: config.Clone()}
}

// DialContext dials address through the inner Dialer, then makes the
// handshake.
func (t *TLS) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	config := t.config
	if config.ServerName == "" {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return nil, &DialError{Op: "tls", Net: network, Addr: address, Err: err}
		}
		config = t.configFor(host)
	}
	trace := ContextTrace(ctx)
	raw, err := dialInnerTraced(ctx, trace, t.dialer, network, address)
	if raw, err = passOn("tls", network, address, raw, err); err != nil {
		return nil, err
	}
	conn := tls.Client(raw, config)
	var start time.Time
	if trace != nil {
		start = time.Now()
	}
	err = conn.HandshakeContext(ctx)
	if trace != nil {
		trace(ctx, Event{Op: "tls", Kind: "handshake", Network: network, Address: address,
			Elapsed: time.Since(start), Detail: config.ServerName, Err: err})
	}
	if err != nil {
		raw.Close()
		return nil, &DialError{Op: "tls", Net: network, Addr: address, Err: err}
	}
	return conn, nil
}

// configFor returns a copy of t's config whose ServerName is host, without
// the brackets or zone of an IPv6 literal.
func (t *TLS) configFor(host string) *tls.Config {
	if last := t.last.Load(); last != nil && last.host == host {
		return last.config
	}
	name, _, _ := strings.Cut(host, "%")
	config := t.config.Clone()
	config.ServerName = name
	t.last.Store(&hostConfig{host: host, config: config})
	return config
}

// Dial is DialContext with [context.Background].
func (t *TLS) Dial(network, address string) (net.Conn, error) {
	return t.DialContext(context.Background(), network, address)
}

// Unwrap returns the Dialer t makes the handshake over.
func (t *TLS) Unwrap() []Dialer { return one(&t.dialer) }
