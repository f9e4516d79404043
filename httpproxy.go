package dialx

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dialx/dialx/rules"
)

// HTTPProxy dials through an HTTP proxy: it connects to the proxy with the
// Dialer it wraps, over TLS for an https:// proxy, and asks it with a
// CONNECT request (RFC 9110, section 9.3.6) for a TCP tunnel to the address
// dialed, which the proxy resolves if it is a name. The connection it
// returns is the tunnel: the proxy's connection itself, or one that first
// hands back the bytes the proxy sent right after its answer.
//
// The whole exchange is bounded by ctx: its deadline is set on the
// connection and cleared once the tunnel stands, and a ctx cancelled
// midway ends it at once. The proxy's answer may hold at most 64 KiB of
// header. A dial that does not get a tunnel fails with a [*DialError] of Op
// "httpproxy" whose cause is a [*ProxyError] naming the proxy, and its
// status when it answered (407 when it wants other credentials). It honours
// ctx if its Dialer does (see [Dialer]) and reports an [Event] of Op
// "httpproxy", Kind "tunnel".
//
// Use [NewHTTPProxy] to make one; the zero value is not usable.
// An HTTPProxy is safe for concurrent use by multiple goroutines.
type HTTPProxy struct {
	dialer  Dialer
	proxy   string      // scheme://host:port, without credentials: for errors and traces
	address string      // host:port, what dialer dials
	tls     *tls.Config // nil for an http:// proxy
	// header returns what each CONNECT sends, Proxy-Authorization
	// included; a function, so that printing p with %#v or %+v shows no
	// credentials.
	header func() http.Header
}

// maxProxyHeader bounds the status line and header of a proxy's answer,
// as curl bounds its own at 100 KiB: a CONNECT answer has a few lines.
const maxProxyHeader = 64 << 10

// NewHTTPProxy returns an HTTPProxy that reaches the proxy at proxyURL
// through d. The URL's scheme must be http or https; its port defaults to
// 80 or 443; its userinfo, if any, becomes Basic credentials in a
// Proxy-Authorization header. It takes [WithProxyTLS] and [WithProxyHeader].
// It returns an error for a URL it cannot use, and panics if d or proxyURL
// is nil.
func NewHTTPProxy(d Dialer, proxyURL *url.URL, opts ...Option) (*HTTPProxy, error) {
	mustDialer("NewHTTPProxy", d)
	if proxyURL == nil {
		panic("dialx: NewHTTPProxy: proxyURL must not be nil, got nil")
	}
	var s settings
	s.apply("NewHTTPProxy", takenByHTTPProxy, opts)
	p, err := newHTTPProxy(d, proxyURL, &s)
	if err != nil {
		return nil, fmt.Errorf("dialx: NewHTTPProxy: %w", err)
	}
	return p, nil
}

// newHTTPProxy is NewHTTPProxy with the options applied, for it and
// ProxyFromEnvironment.
func newHTTPProxy(d Dialer, proxyURL *url.URL, s *settings) (*HTTPProxy, error) {
	if proxyURL.Scheme != "http" && proxyURL.Scheme != "https" {
		return nil, fmt.Errorf("proxy %s: scheme must be http or https, got %q",
			withoutUserinfo(proxyURL), proxyURL.Scheme)
	}
	address, shown, err := proxyAddress(proxyURL)
	if err != nil {
		return nil, err
	}
	p := &HTTPProxy{dialer: d, proxy: shown, address: address}
	if proxyURL.Scheme == "https" {
		p.tls = s.proxyTLS.Clone()
		if p.tls == nil {
			p.tls = &tls.Config{}
		}
		if p.tls.ServerName == "" {
			p.tls.ServerName = proxyURL.Hostname()
		}
		// The CONNECT exchange is HTTP/1.1: a proxy that chose h2 by ALPN
		// would not understand it.
		p.tls.NextProtos = []string{"http/1.1"}
	}
	header := s.proxyHeader.Clone()
	if header == nil {
		header = make(http.Header)
	}
	if proxyURL.User != nil && header.Get("Proxy-Authorization") == "" {
		password, _ := proxyURL.User.Password()
		credentials := proxyURL.User.Username() + ":" + password
		header.Set("Proxy-Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(credentials)))
	}
	p.header = func() http.Header { return header }
	return p, nil
}

// proxyAddress returns the host:port to dial for a proxy URL, with the
// scheme's default port, and the URL as errors show it: scheme and
// address, never the userinfo.
func proxyAddress(u *url.URL) (address, shown string, err error) {
	port := u.Port()
	if port == "" {
		port = defaultProxyPorts[u.Scheme]
	}
	address = net.JoinHostPort(u.Hostname(), port)
	shown = u.Scheme + "://" + address
	if u.Hostname() == "" {
		return "", "", fmt.Errorf("proxy %s: the URL names no host", shown)
	}
	if address, err = rules.Canonical(address); err != nil {
		return "", "", fmt.Errorf("proxy %s: %w", shown, err)
	}
	return address, shown, nil
}

// withoutUserinfo is u as an error may show it: without the credentials.
func withoutUserinfo(u *url.URL) string {
	shown := *u
	shown.User = nil
	return shown.String()
}

// defaultProxyPorts are the ports of a proxy URL without one, as
// golang.org/x/net/http/httpproxy and net/http take them.
var defaultProxyPorts = map[string]string{"http": "80", "https": "443", "socks5": "1080", "socks5h": "1080"}

// DialContext connects to the proxy and asks it for a tunnel to address.
// Only TCP can be tunnelled, so network must be tcp, tcp4 or tcp6; the
// proxy, not the network, decides which IP version reaches address.
func (p *HTTPProxy) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	fail := func(err error) (net.Conn, error) {
		return nil, &DialError{Op: "httpproxy", Net: network, Addr: address, Err: err}
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return fail(fmt.Errorf("a CONNECT tunnel carries tcp only, not %q", network))
	}
	if host, port, err := net.SplitHostPort(address); err != nil || host == "" || port == "" {
		return fail(fmt.Errorf("address must be host:port, got %q", address))
	}
	t := ContextTrace(ctx)
	var start time.Time
	if t != nil {
		start = time.Now()
	}
	tunnel, err := p.tunnel(ctx, t, address)
	if t != nil {
		t(ctx, Event{Op: "httpproxy", Kind: "tunnel", Network: network, Address: address,
			Elapsed: time.Since(start), Detail: p.proxy, Err: err})
	}
	if err != nil {
		return fail(err)
	}
	return tunnel, nil
}

// tunnel dials the proxy and makes the CONNECT exchange over the
// connection.
func (p *HTTPProxy) tunnel(ctx context.Context, t Trace, address string) (net.Conn, error) {
	conn, err := dialInnerTraced(ctx, t, p.dialer, "tcp", p.address)
	if conn, err = passOn("httpproxy", "tcp", p.address, conn, err); err != nil {
		return nil, &ProxyError{Proxy: p.proxy, Err: err}
	}
	return p.exchange(ctx, conn, address)
}

// String returns the proxy's URL without credentials, so that an HTTPProxy
// in a log or in a [Selective]'s [Rule] says where it leads.
func (p *HTTPProxy) String() string { return p.proxy }

// Dial is DialContext with [context.Background].
func (p *HTTPProxy) Dial(network, address string) (net.Conn, error) {
	return p.DialContext(context.Background(), network, address)
}

// Unwrap returns the Dialer p reaches the proxy with.
func (p *HTTPProxy) Unwrap() []Dialer { return one(&p.dialer) }

// ProxyError is the cause of a dial that a proxy did not tunnel: it names
// the proxy and either its answer, StatusCode, or why there was none, Err
// (the dial to the proxy, a TLS handshake, a closed or broken answer, ctx),
// which its Error method prints.
// errors.As finds it through the [*DialError] that carries it, and through
// it Err. A ProxyError is not modified once returned, so any number of
// goroutines may read it.
type ProxyError struct {
	Proxy      string // the proxy's URL, without credentials
	StatusCode int    // the proxy's answer, such as 407; 0 when Err says why there was none
	Err        error
}

// Error reads like "proxy http://10.0.0.1:3128 answered 407 Proxy
// Authentication Required" or "proxy http://10.0.0.1:3128: EOF".
func (e *ProxyError) Error() string {
	switch {
	case e.StatusCode != 0:
		// The status text is Go's, not the proxy's, which could say anything.
		return strings.TrimSpace(fmt.Sprintf("proxy %s answered %d %s", e.Proxy, e.StatusCode, http.StatusText(e.StatusCode)))
	case e.Err == nil:
		return "proxy " + e.Proxy + " failed"
	}
	return "proxy " + e.Proxy + ": " + strings.TrimPrefix(e.Err.Error(), "dialx: ")
}

// Unwrap returns Err.
func (e *ProxyError) Unwrap() error { return e.Err }
