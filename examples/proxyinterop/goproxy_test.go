package proxyinterop_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/elazarl/goproxy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
	"github.com/dialx/dialx/internal/faultnet"
)

// newGoproxy returns a goproxy server that tunnels CONNECT requests to
// loopback destinations only, and logs nothing.
func newGoproxy() *goproxy.ProxyHttpServer {
	p := goproxy.NewProxyHttpServer()
	p.Logger = log.New(io.Discard, "", 0)
	p.ConnectDialWithReq = func(r *http.Request, network, address string) (net.Conn, error) {
		return loopbackOnly(r.Context(), network, address)
	}
	return p
}

// startGoproxy serves p on loopback and returns its URL.
func startGoproxy(t *testing.T, p *goproxy.ProxyHttpServer) *url.URL {
	t.Helper()
	server := httptest.NewServer(p)
	t.Cleanup(server.Close)
	u, err := url.Parse(server.URL)
	require.NoError(t, err)
	return u
}

// requireCredentials makes p answer 407 to a CONNECT without the Basic
// credentials alice:s3cret, as goproxy's ext/auth does.
func requireCredentials(p *goproxy.ProxyHttpServer) {
	p.OnRequest().HandleConnectFunc(func(host string, ctx *goproxy.ProxyCtx) (*goproxy.ConnectAction, string) {
		r := &http.Request{Header: http.Header{"Authorization": ctx.Req.Header["Proxy-Authorization"]}}
		if user, password, ok := r.BasicAuth(); ok && user == "alice" && password == "s3cret" {
			return goproxy.OkConnect, host
		}
		return &goproxy.ConnectAction{
			Action: goproxy.ConnectProxyAuthHijack,
			Hijack: func(_ *http.Request, client net.Conn, _ *goproxy.ProxyCtx) {
				// goproxy has written the status line.
				io.WriteString(client, "Proxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n")
				client.Close()
			},
		}, host
	})
}

// hijack makes p hand every CONNECT to serve, in place of a tunnel.
func hijack(p *goproxy.ProxyHttpServer, serve func(client net.Conn)) {
	p.OnRequest().HandleConnectFunc(func(host string, _ *goproxy.ProxyCtx) (*goproxy.ConnectAction, string) {
		return &goproxy.ConnectAction{Action: goproxy.ConnectHijack,
			Hijack: func(_ *http.Request, client net.Conn, _ *goproxy.ProxyCtx) { serve(client) }}, host
	})
}

func newHTTPProxy(t *testing.T, u *url.URL, opts ...dialx.Option) *dialx.HTTPProxy {
	t.Helper()
	p, err := dialx.NewHTTPProxy(&net.Dialer{}, u, opts...)
	require.NoError(t, err)
	return p
}

func TestHTTPProxyTunnelsThroughGoproxy(t *testing.T) {
	echo := dialtest.StartEcho(t)
	u := startGoproxy(t, newGoproxy())
	conn, err := newHTTPProxy(t, u).DialContext(context.Background(), "tcp", "echo.test:"+portOf(t, echo.Addr()))
	require.NoError(t, err)
	echoes(t, conn, "through goproxy")
	conn.Close()
}

func TestHTTPProxyThroughGoproxyConcurrently(t *testing.T) {
	echo := dialtest.StartEcho(t)
	p := newGoproxy()
	requireCredentials(p)
	u := startGoproxy(t, p)
	u.User = url.UserPassword("alice", "s3cret")
	d := newHTTPProxy(t, u, dialx.WithProxyHeader(http.Header{"User-Agent": {"proxyinterop"}}))
	target := "echo.test:" + portOf(t, echo.Addr())
	const dials = 50
	errs := make(chan error, dials)
	for i := range dials {
		go func() {
			conn, err := d.DialContext(context.Background(), "tcp", target)
			if err == nil {
				msg := fmt.Sprint("dial ", i)
				_, err = io.WriteString(conn, msg)
				got := make([]byte, len(msg))
				if err == nil {
					_, err = io.ReadFull(conn, got)
				}
				if err == nil && string(got) != msg {
					err = fmt.Errorf("read %q, want %q", got, msg)
				}
				conn.Close()
			}
			errs <- err
		}()
	}
	for range dials {
		assert.NoError(t, <-errs)
	}
}

func TestHTTPProxyThroughGoproxyOverTLS(t *testing.T) {
	echo := dialtest.StartEcho(t)
	server := httptest.NewTLSServer(newGoproxy())
	t.Cleanup(server.Close)
	u, _ := url.Parse(server.URL)
	roots := x509.NewCertPool()
	roots.AddCert(server.Certificate())

	conn, err := newHTTPProxy(t, u, dialx.WithProxyTLS(&tls.Config{RootCAs: roots})).
		DialContext(context.Background(), "tcp", "echo.test:"+portOf(t, echo.Addr()))
	require.NoError(t, err)
	echoes(t, conn, "through goproxy over TLS")
	conn.Close()

	_, err = newHTTPProxy(t, u).DialContext(context.Background(), "tcp", "echo.test:"+portOf(t, echo.Addr()))
	var certErr *tls.CertificateVerificationError
	assert.ErrorAs(t, err, &certErr, "the proxy's certificate is checked")
}

func TestHTTPProxyThroughGoproxyToARefusedTarget(t *testing.T) {
	refused := faultnet.StartRefused(t)
	u := startGoproxy(t, newGoproxy())
	target := "refused.test:" + portOf(t, refused.Addr())
	_, err := newHTTPProxy(t, u).DialContext(context.Background(), "tcp", target)
	var proxyErr *dialx.ProxyError
	require.ErrorAs(t, err, &proxyErr)
	assert.Equal(t, http.StatusBadGateway, proxyErr.StatusCode)
	assert.EqualError(t, err, "dialx: httpproxy tcp "+target+": proxy http://"+u.Host+" answered 502 Bad Gateway")
}

func TestHTTPProxyThroughGoproxyWithCredentials(t *testing.T) {
	echo := dialtest.StartEcho(t)
	p := newGoproxy()
	requireCredentials(p)
	u := startGoproxy(t, p)
	target := "echo.test:" + portOf(t, echo.Addr())

	tests := []struct {
		name     string
		userinfo *url.Userinfo
		want     int // the status of the refusal, 0 for a tunnel
	}{
		{name: "none", want: http.StatusProxyAuthRequired},
		{name: "wrong password", userinfo: url.UserPassword("alice", "guess"), want: http.StatusProxyAuthRequired},
		{name: "right ones", userinfo: url.UserPassword("alice", "s3cret")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			withUser := *u
			withUser.User = tt.userinfo
			conn, err := newHTTPProxy(t, &withUser).DialContext(context.Background(), "tcp", target)
			if tt.want == 0 {
				require.NoError(t, err)
				echoes(t, conn, "authenticated")
				conn.Close()
				return
			}
			var proxyErr *dialx.ProxyError
			require.ErrorAs(t, err, &proxyErr)
			assert.Equal(t, tt.want, proxyErr.StatusCode)
			assert.NotContains(t, err.Error(), "guess")
			assert.NotContains(t, err.Error(), "alice")
		})
	}
}

func TestHTTPProxyThroughGoproxyThatClosesMidAnswer(t *testing.T) {
	p := newGoproxy()
	hijack(p, func(client net.Conn) {
		io.WriteString(client, "HTTP/1.1 200 Connection established\r\nVia: 1.1 goprox")
		client.Close()
	})
	u := startGoproxy(t, p)
	_, err := newHTTPProxy(t, u).DialContext(context.Background(), "tcp", "echo.test:1")
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Contains(t, err.Error(), "proxy http://"+u.Host+": closed the connection before its answer ended")
}

func TestHTTPProxyThroughGoproxyThatNeverAnswers(t *testing.T) {
	p := newGoproxy()
	closed := make(chan struct{})
	hijack(p, func(client net.Conn) {
		io.Copy(io.Discard, client) // until the dialer gives up and closes
		client.Close()
		close(closed)
	})
	u := startGoproxy(t, p)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := newHTTPProxy(t, u).DialContext(ctx, "tcp", "echo.test:1")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var netErr net.Error
	require.ErrorAs(t, err, &netErr)
	assert.True(t, netErr.Timeout())
	<-closed
}

func TestHTTPProxyThroughGoproxyKeepsTheBytesRightAfterTheAnswer(t *testing.T) {
	// A destination that speaks first, as SSH, SMTP and MySQL servers do:
	// its greeting may reach the dialer with goproxy's answer, or after.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan struct{})
	go func() {
		defer close(served)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		io.WriteString(c, "220 greeter ready\r\n")
		io.Copy(c, c)
		c.Close()
	}()
	t.Cleanup(func() { ln.Close(); <-served })

	u := startGoproxy(t, newGoproxy())
	conn, err := newHTTPProxy(t, u).DialContext(context.Background(), "tcp", "greeter.test:"+portOf(t, ln.Addr().String()))
	require.NoError(t, err)
	defer conn.Close()
	reads(t, conn, "220 greeter ready\r\n")
	echoes(t, conn, "after the greeting")

	// Sent in one write with the answer, the greeting is read with it
	// and handed back first.
	p := newGoproxy()
	hijack(p, func(client net.Conn) {
		io.WriteString(client, "HTTP/1.1 200 OK\r\n\r\n220 greeter ready\r\n")
		io.Copy(client, client)
		client.Close()
	})
	u = startGoproxy(t, p)
	conn2, err := newHTTPProxy(t, u).DialContext(context.Background(), "tcp", "greeter.test:1")
	require.NoError(t, err)
	defer conn2.Close()
	_, plain := conn2.(*net.TCPConn)
	assert.False(t, plain, "the early bytes are kept in a wrapper")
	reads(t, conn2, "220 greeter ready\r\n")
	echoes(t, conn2, "after the greeting")
}

func TestProxyFromEnvironmentThroughGoproxy(t *testing.T) {
	echo := dialtest.StartEcho(t)
	p := newGoproxy()
	requireCredentials(p)
	u := startGoproxy(t, p)
	setProxyEnvironment(t, map[string]string{
		"https_proxy": "http://alice:s3cret@" + u.Host,
		"NO_PROXY":    "direct.test",
	})
	var direct []string
	d, err := dialx.ProxyFromEnvironment(dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		direct = append(direct, address)
		return loopbackOnly(ctx, network, address)
	}))
	require.NoError(t, err)

	for _, host := range []string{"echo.test", "direct.test"} {
		conn, err := d.DialContext(context.Background(), "tcp", host+":"+portOf(t, echo.Addr()))
		require.NoError(t, err, host)
		echoes(t, conn, "to "+host)
		conn.Close()
	}
	assert.Equal(t, []string{u.Host, "direct.test:" + portOf(t, echo.Addr())}, direct,
		"goproxy is reached through d, and direct.test directly")
}
