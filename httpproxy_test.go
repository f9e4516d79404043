package dialx_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/faultnet"
	"github.com/dialx/dialx/internal/loopback"
)

// fakeProxy is a loopback server that reads one CONNECT request per
// connection, hands it to the test through requests, and then answers as
// the test's answer function says.
type fakeProxy struct {
	addr     string
	requests chan *http.Request
}

// startFakeProxy starts a fakeProxy whose answer writes to the client
// connection after the request was read; it returns when the server
// should close the connection.
func startFakeProxy(t *testing.T, answer func(c net.Conn, r *http.Request)) *fakeProxy {
	t.Helper()
	ln := loopback.Listen(t, "fakeProxy")
	p := &fakeProxy{addr: ln.Addr().String(), requests: make(chan *http.Request, 16)}
	conns := loopback.New()
	conns.Serve(ln, func(c net.Conn) loopback.Ending {
		r, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return loopback.ByClient
		}
		p.requests <- r
		answer(c, r)
		return loopback.ByServer
	})
	t.Cleanup(func() { conns.Close() })
	return p
}

// url is the proxy's URL with userinfo, if not empty.
func (p *fakeProxy) url(userinfo string) *url.URL {
	u := &url.URL{Scheme: "http", Host: p.addr}
	if userinfo != "" {
		user, password, _ := strings.Cut(userinfo, ":")
		u.User = url.UserPassword(user, password)
	}
	return u
}

// answerThenEcho writes answer and then echoes until the client closes.
func answerThenEcho(answer string) func(net.Conn, *http.Request) {
	return func(c net.Conn, _ *http.Request) {
		if _, err := io.WriteString(c, answer); err == nil {
			io.Copy(c, c)
		}
	}
}

// waitForClose waits until the client closes its end, so a fake can
// show that a dial that gave up closed the connection.
func waitForClose(closed chan<- struct{}) func(net.Conn, *http.Request) {
	return func(c net.Conn, _ *http.Request) {
		io.Copy(io.Discard, c)
		close(closed)
	}
}

func newHTTPProxy(t *testing.T, d dialx.Dialer, u *url.URL, opts ...dialx.Option) *dialx.HTTPProxy {
	t.Helper()
	p, err := dialx.NewHTTPProxy(d, u, opts...)
	require.NoError(t, err)
	return p
}

// echoes writes msg to conn and reads it back.
func echoes(t *testing.T, conn net.Conn, msg string) {
	t.Helper()
	_, err := io.WriteString(conn, msg)
	require.NoError(t, err)
	reads(t, conn, msg)
}

// reads reads as many bytes as want has from conn, and checks them.
func reads(t *testing.T, conn net.Conn, want string) {
	t.Helper()
	got := make([]byte, len(want))
	_, err := io.ReadFull(conn, got)
	require.NoError(t, err)
	assert.Equal(t, want, string(got))
}

func TestHTTPProxySendsAConnectRequestAndReturnsTheTunnel(t *testing.T) {
	fake := startFakeProxy(t, answerThenEcho("HTTP/1.1 200 Connection established\r\n\r\n"))
	p := newHTTPProxy(t, &net.Dialer{}, fake.url("alice:s3cret"),
		dialx.WithProxyHeader(http.Header{"User-Agent": {"dialx-test"}}))

	conn, err := p.DialContext(context.Background(), "tcp", "db.internal:5432")
	require.NoError(t, err)
	defer conn.Close()
	_, plain := conn.(*net.TCPConn)
	assert.True(t, plain, "with nothing read past the answer, the tunnel is the proxy's connection itself, got %T", conn)
	echoes(t, conn, "ping")

	r := <-fake.requests
	assert.Equal(t, http.MethodConnect, r.Method)
	assert.Equal(t, "db.internal:5432", r.RequestURI)
	assert.Equal(t, "db.internal:5432", r.Host)
	assert.Equal(t, "dialx-test", r.Header.Get("User-Agent"))
	user, password, ok := (&http.Request{Header: http.Header{
		"Authorization": r.Header["Proxy-Authorization"]}}).BasicAuth()
	assert.True(t, ok, "Proxy-Authorization %q", r.Header.Get("Proxy-Authorization"))
	assert.Equal(t, "alice", user)
	assert.Equal(t, "s3cret", password)
}

func TestHTTPProxyWithoutUserinfoSendsNoCredentials(t *testing.T) {
	fake := startFakeProxy(t, answerThenEcho("HTTP/1.0 200 OK\r\n\r\n"))
	conn, err := newHTTPProxy(t, &net.Dialer{}, fake.url("")).DialContext(context.Background(), "tcp", "[2001:db8::1]:443")
	require.NoError(t, err)
	conn.Close()
	r := <-fake.requests
	assert.Empty(t, r.Header.Values("Proxy-Authorization"))
	assert.Equal(t, "[2001:db8::1]:443", r.RequestURI)
}

// The request-target is the Host header's ASCII form of the address, as
// the request line needs.
func TestHTTPProxyRequestTargetIsTheHostHeader(t *testing.T) {
	fake := startFakeProxy(t, answerThenEcho("HTTP/1.1 200 OK\r\n\r\n"))
	p := newHTTPProxy(t, &net.Dialer{}, fake.url(""))
	for _, tt := range []struct{ address, want string }{
		{"db.internal:5432", "db.internal:5432"},
		{"[::1]:443", "[::1]:443"},
		{"bücher.example:443", "xn--bcher-kva.example:443"},
	} {
		conn, err := p.DialContext(context.Background(), "tcp", tt.address)
		require.NoError(t, err, tt.address)
		conn.Close()
		r := <-fake.requests
		assert.Equal(t, tt.want, r.RequestURI, tt.address)
		assert.Equal(t, tt.want, r.Host, tt.address)
	}
}

func TestHTTPProxyHeaderCredentialsReplaceTheUserinfo(t *testing.T) {
	fake := startFakeProxy(t, answerThenEcho("HTTP/1.1 200 OK\r\n\r\n"))
	header := http.Header{"Proxy-Authorization": {"Bearer token"}}
	p := newHTTPProxy(t, &net.Dialer{}, fake.url("alice:s3cret"), dialx.WithProxyHeader(header))
	header.Set("Proxy-Authorization", "changed later")
	conn, err := p.DialContext(context.Background(), "tcp", "example.com:443")
	require.NoError(t, err)
	conn.Close()
	assert.Equal(t, []string{"Bearer token"}, (<-fake.requests).Header.Values("Proxy-Authorization"))
}

func TestHTTPProxyKeepsTheBytesSentRightAfterTheAnswer(t *testing.T) {
	// The answer and the destination's first bytes come in one write, so
	// the dial reads them together.
	fake := startFakeProxy(t, answerThenEcho("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nSSH-2.0-server\r\n"))
	conn, err := newHTTPProxy(t, &net.Dialer{}, fake.url("")).DialContext(context.Background(), "tcp", "git.internal:22")
	require.NoError(t, err)
	defer conn.Close()
	reads(t, conn, "SSH-2.0-server\r\n")
	echoes(t, conn, "after the early bytes, the connection itself")
}

// A tunnel half-closes as the proxy's connection does, whether bytes came
// with the answer or not.
func TestHTTPProxyTunnelHalfCloses(t *testing.T) {
	for _, answer := range []string{"HTTP/1.1 200 OK\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\nhello\n"} {
		fake := startFakeProxy(t, answerThenEcho(answer))
		conn, err := newHTTPProxy(t, &net.Dialer{}, fake.url("")).DialContext(context.Background(), "tcp", "db.internal:5432")
		require.NoError(t, err)
		half, ok := conn.(interface{ CloseWrite() error })
		require.True(t, ok, "%T after %q", conn, answer)
		_, err = io.WriteString(conn, "ping")
		require.NoError(t, err)
		require.NoError(t, half.CloseWrite())
		rest, err := io.ReadAll(conn) // the echo ends once it reads the end of what was sent
		require.NoError(t, err)
		assert.Equal(t, strings.TrimPrefix(answer, "HTTP/1.1 200 OK\r\n\r\n")+"ping", string(rest))
		conn.Close()
	}
}

func TestHTTPProxyFailsWithTheProxysStatus(t *testing.T) {
	tests := []struct {
		answer string
		status int
	}{
		{"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"p\"\r\n\r\n", 407},
		{"HTTP/1.1 403 Forbidden\r\nContent-Length: 5\r\n\r\nnope!", 403},
		{"HTTP/1.0 502 Bad Gateway\r\n\r\ndial tcp: connection refused", 502},
		{"HTTP/1.1 101 Switching Protocols\r\n\r\n", 101},
		{"HTTP/1.1 599 Whatever The Proxy Says\r\n\r\n", 599},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			fake := startFakeProxy(t, answerThenEcho(tt.answer))
			_, err := newHTTPProxy(t, &net.Dialer{}, fake.url("alice:s3cret")).
				DialContext(context.Background(), "tcp", "db.internal:5432")
			var proxyErr *dialx.ProxyError
			require.ErrorAs(t, err, &proxyErr)
			assert.Equal(t, tt.status, proxyErr.StatusCode)
			assert.Equal(t, "http://"+fake.addr, proxyErr.Proxy)
			assert.Equal(t, strings.TrimSpace("dialx: httpproxy tcp db.internal:5432: proxy http://"+fake.addr+
				" answered "+strconv.Itoa(tt.status)+" "+http.StatusText(tt.status)), err.Error())
			assert.NotContains(t, err.Error(), "alice")
			assert.NotContains(t, err.Error(), "s3cret")
		})
	}
}

func TestHTTPProxyFailsOnABrokenAnswer(t *testing.T) {
	tests := []struct {
		name    string
		answer  func(net.Conn, *http.Request)
		wantErr error  // matched with errors.Is, if set
		wantMsg string // in the message
	}{
		{
			name:    "closed before answering",
			answer:  func(net.Conn, *http.Request) {},
			wantErr: io.ErrUnexpectedEOF,
			wantMsg: "closed the connection before its answer ended",
		},
		{
			name:    "closed mid-header",
			answer:  func(c net.Conn, _ *http.Request) { io.WriteString(c, "HTTP/1.1 200 OK\r\nVia: 1.1 pro") },
			wantErr: io.ErrUnexpectedEOF,
			wantMsg: "closed the connection before its answer ended",
		},
		{
			name:    "not HTTP",
			answer:  answerThenEcho("SSH-2.0-OpenSSH_9.2\r\n\r\n"),
			wantMsg: "malformed HTTP",
		},
		{
			name: "header without end",
			answer: func(c net.Conn, _ *http.Request) {
				io.WriteString(c, "HTTP/1.1 200 OK\r\n")
				line := "X-Padding: " + strings.Repeat("x", 1000) + "\r\n"
				for range 100 {
					if _, err := io.WriteString(c, line); err != nil {
						return
					}
				}
			},
			wantMsg: "answer has more than 65536 bytes of header",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := startFakeProxy(t, tt.answer)
			conn, err := newHTTPProxy(t, &net.Dialer{}, fake.url("")).DialContext(context.Background(), "tcp", "db.internal:5432")
			require.Error(t, err)
			assert.Nil(t, conn)
			var proxyErr *dialx.ProxyError
			require.ErrorAs(t, err, &proxyErr)
			assert.Zero(t, proxyErr.StatusCode)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
			}
			assert.Contains(t, err.Error(), "dialx: httpproxy tcp db.internal:5432: proxy http://"+fake.addr+": ")
			assert.Contains(t, err.Error(), tt.wantMsg)
		})
	}
}

func TestHTTPProxyCancelledMidExchangeClosesTheConnection(t *testing.T) {
	closed := make(chan struct{})
	fake := startFakeProxy(t, waitForClose(closed))
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-fake.requests // the proxy has the request and will never answer
		cancel()
	}()
	conn, err := newHTTPProxy(t, &net.Dialer{}, fake.url("")).DialContext(ctx, "tcp", "db.internal:5432")
	assert.Nil(t, conn)
	assert.ErrorIs(t, err, context.Canceled)
	var proxyErr *dialx.ProxyError
	assert.ErrorAs(t, err, &proxyErr)
	<-closed
}

func TestHTTPProxyDeadlineEndsAnExchangeWithASilentProxy(t *testing.T) {
	closed := make(chan struct{})
	fake := startFakeProxy(t, waitForClose(closed))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	conn, err := newHTTPProxy(t, &net.Dialer{}, fake.url("")).DialContext(ctx, "tcp", "db.internal:5432")
	assert.Nil(t, conn)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var netErr net.Error
	require.ErrorAs(t, err, &netErr)
	assert.True(t, netErr.Timeout())
	<-closed
}

// noDeadlineConn is a connection that cannot take deadlines, as an SSH
// channel's: SetDeadline fails and does nothing.
type noDeadlineConn struct{ net.Conn }

func (noDeadlineConn) SetDeadline(time.Time) error { return errors.New("deadline not supported") }

// A ctx that ends ends the exchange even over a connection that takes no
// deadline, and the connection is closed.
func TestHTTPProxyCtxEndsAnExchangeOverAConnectionWithoutDeadlines(t *testing.T) {
	for _, name := range []string{"cancelled", "deadline"} {
		t.Run(name, func(t *testing.T) {
			asked, closed := make(chan struct{}), make(chan struct{})
			inner := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
				client, proxy := net.Pipe()
				go func() { // a proxy that reads the request and never answers
					defer close(closed)
					if _, err := http.ReadRequest(bufio.NewReader(proxy)); err == nil {
						close(asked)
						io.Copy(io.Discard, proxy)
					}
				}()
				return noDeadlineConn{client}, nil
			})
			ctx, cancel := context.WithCancel(context.Background())
			if name == "deadline" {
				ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
			} else {
				go func() { <-asked; cancel() }()
			}
			defer cancel()
			result := make(chan error, 1)
			go func() {
				_, err := newHTTPProxy(t, inner, &url.URL{Scheme: "http", Host: "proxy.internal:3128"}).
					DialContext(ctx, "tcp", "db.internal:5432")
				result <- err
			}()
			select {
			case err := <-result:
				assert.ErrorIs(t, err, ctx.Err())
			case <-time.After(10 * time.Second):
				t.Fatal("the dial outlived its ctx")
			}
			<-closed
		})
	}
}

// deadlineConn records the deadlines set on a connection.
type deadlineConn struct {
	net.Conn
	mu        sync.Mutex
	deadlines []time.Time
}

func (c *deadlineConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	c.deadlines = append(c.deadlines, t)
	c.mu.Unlock()
	return c.Conn.SetDeadline(t)
}

func TestHTTPProxyCancelledMidTLSHandshake(t *testing.T) {
	silent := faultnet.StartSilent(t) // never answers the TLS client's hello
	ctx, cancel := context.WithCancel(context.Background())
	traced := dialx.WithTrace(ctx, func(_ context.Context, e dialx.Event) {
		if e.Op == "dial" && e.Kind == "done" {
			cancel() // the proxy is reached: the handshake starts now
		}
	})
	conn, err := newHTTPProxy(t, &net.Dialer{}, &url.URL{Scheme: "https", Host: silent.Addr()}).
		DialContext(traced, "tcp", "db.internal:5432")
	assert.Nil(t, conn)
	assert.ErrorIs(t, err, context.Canceled)
	require.NoError(t, silent.WaitIdle(time.Minute), "the connection to the proxy is closed")
}

func TestHTTPProxySetsCtxsDeadlineAndClearsIt(t *testing.T) {
	fake := startFakeProxy(t, answerThenEcho("HTTP/1.1 200 OK\r\n\r\n"))
	var recorded *deadlineConn
	inner := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, address)
		if err != nil {
			return nil, err
		}
		recorded = &deadlineConn{Conn: conn}
		return recorded, nil
	})
	deadline := time.Now().Add(time.Hour)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	conn, err := newHTTPProxy(t, inner, fake.url("")).DialContext(ctx, "tcp", "db.internal:5432")
	require.NoError(t, err)
	defer conn.Close()
	recorded.mu.Lock()
	defer recorded.mu.Unlock()
	assert.Equal(t, []time.Time{deadline, {}}, recorded.deadlines)
}

func TestHTTPProxyFailsWhenItCannotReachTheProxy(t *testing.T) {
	errDown := errors.New("proxy host down")
	inner := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) { return nil, errDown })
	u, _ := url.Parse("http://bob:hunter2@proxy.internal:3128")
	_, err := newHTTPProxy(t, inner, u).DialContext(context.Background(), "tcp", "db.internal:5432")
	assert.ErrorIs(t, err, errDown)
	assert.EqualError(t, err, "dialx: httpproxy tcp db.internal:5432: proxy http://proxy.internal:3128: proxy host down")

	nothing := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) { return nil, nil })
	_, err = newHTTPProxy(t, nothing, u).DialContext(context.Background(), "tcp", "db.internal:5432")
	var dialErr *dialx.DialError
	require.ErrorAs(t, err, &dialErr)
	assert.Contains(t, err.Error(), "proxy http://proxy.internal:3128")
}

func TestHTTPProxyRefusesWhatItCannotTunnel(t *testing.T) {
	inner := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		t.Error("the proxy was dialed")
		return nil, errors.New("dialed")
	})
	p := newHTTPProxy(t, inner, &url.URL{Scheme: "http", Host: "proxy.internal"})
	for _, tt := range []struct{ network, address, want string }{
		{"udp", "dns.internal:53", `dialx: httpproxy udp dns.internal:53: a CONNECT tunnel carries tcp only, not "udp"`},
		{"tcp", "db.internal", `dialx: httpproxy tcp db.internal: address must be host:port, got "db.internal"`},
		{"tcp", ":80", `dialx: httpproxy tcp :80: address must be host:port, got ":80"`},
	} {
		_, err := p.DialContext(context.Background(), tt.network, tt.address)
		assert.EqualError(t, err, tt.want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := p.DialContext(ctx, "tcp", "db.internal:5432")
	assert.ErrorIs(t, err, context.Canceled)
}

func TestNewHTTPProxy(t *testing.T) {
	tests := []struct {
		url     string
		want    string // String(), or the error
		wantErr bool
	}{
		{url: "http://proxy.internal", want: "http://proxy.internal:80"},
		{url: "https://proxy.internal", want: "https://proxy.internal:443"},
		{url: "http://u:p@10.0.0.1:3128/", want: "http://10.0.0.1:3128"},
		{url: "http://[::1]:3128", want: "http://[::1]:3128"},
		{url: "socks5://u:p@proxy.internal:1080", wantErr: true,
			want: `dialx: NewHTTPProxy: proxy socks5://proxy.internal:1080: scheme must be http or https, got "socks5"`},
		{url: "http://u:p@:3128", wantErr: true, want: "dialx: NewHTTPProxy: proxy http://:3128: the URL names no host"},
		{url: "http://proxy.internal:99999", wantErr: true},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		require.NoError(t, err)
		p, err := dialx.NewHTTPProxy(&net.Dialer{}, u)
		if tt.wantErr {
			require.Error(t, err, tt.url)
			if tt.want != "" {
				assert.EqualError(t, err, tt.want)
			}
			assert.NotContains(t, err.Error(), "u:p")
			continue
		}
		require.NoError(t, err, tt.url)
		assert.Equal(t, tt.want, p.String())
	}
}

func TestNewHTTPProxyPanics(t *testing.T) {
	u := &url.URL{Scheme: "http", Host: "proxy.internal:3128"}
	assert.PanicsWithValue(t, "dialx: NewHTTPProxy: d must not be nil, got nil", func() { dialx.NewHTTPProxy(nil, u) })
	assert.PanicsWithValue(t, "dialx: NewHTTPProxy: proxyURL must not be nil, got nil",
		func() { dialx.NewHTTPProxy(&net.Dialer{}, nil) })
	assert.PanicsWithValue(t, "dialx: NewHTTPProxy: WithStagger does not apply to a HTTPProxy",
		func() { dialx.NewHTTPProxy(&net.Dialer{}, u, dialx.WithStagger(0)) })
	assert.PanicsWithValue(t, "dialx: NewRepeat: WithProxyTLS does not apply to a Repeat",
		func() { dialx.NewRepeat(&net.Dialer{}, 1, dialx.WithProxyTLS(&tls.Config{})) })
	assert.PanicsWithValue(t, "dialx: WithProxyTLS: config must not be nil, got nil", func() { dialx.WithProxyTLS(nil) })
	assert.PanicsWithValue(t, "dialx: WithProxyHeader: header must not be nil, got nil", func() { dialx.WithProxyHeader(nil) })
}

// startTLSProxy starts an HTTPS server, which offers h2 too, that tunnels
// each CONNECT over HTTP/1.1 to an echo of its own.
func startTLSProxy(t *testing.T) *httptest.Server {
	t.Helper()
	server := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		io.Copy(conn, rw)
	}))
	server.EnableHTTP2 = true
	server.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshakes tested below
	server.StartTLS()
	t.Cleanup(server.Close)
	return server
}

func TestHTTPProxyOverTLS(t *testing.T) {
	server := startTLSProxy(t)
	u, _ := url.Parse(server.URL)
	roots := x509.NewCertPool()
	roots.AddCert(server.Certificate())
	config := &tls.Config{RootCAs: roots, NextProtos: []string{"h2"}}

	p := newHTTPProxy(t, &net.Dialer{}, u, dialx.WithProxyTLS(config))
	conn, err := p.DialContext(context.Background(), "tcp", "db.internal:5432")
	require.NoError(t, err)
	defer conn.Close()
	_, secure := conn.(*tls.Conn)
	assert.True(t, secure, "got %T", conn)
	echoes(t, conn, "through TLS")
	assert.NotEqual(t, "h2", conn.(*tls.Conn).ConnectionState().NegotiatedProtocol)
	assert.Empty(t, config.ServerName, "the caller's config is not modified")
	assert.Equal(t, []string{"h2"}, config.NextProtos, "the caller's config is not modified")

	// Without the server's certificate among the roots, the handshake fails.
	_, err = newHTTPProxy(t, &net.Dialer{}, u).DialContext(context.Background(), "tcp", "db.internal:5432")
	var certErr *tls.CertificateVerificationError
	require.ErrorAs(t, err, &certErr)
	assert.Contains(t, err.Error(), "proxy "+u.String()+": TLS handshake: ")
}

func TestHTTPProxyTracesItsTunnelAndTheDialBeneath(t *testing.T) {
	fake := startFakeProxy(t, answerThenEcho("HTTP/1.1 200 OK\r\n\r\n"))
	var events []dialx.Event
	ctx := dialx.WithTrace(context.Background(), func(_ context.Context, e dialx.Event) {
		e.Elapsed = 0
		events = append(events, e)
	})
	conn, err := newHTTPProxy(t, &net.Dialer{}, fake.url("")).DialContext(ctx, "tcp", "db.internal:5432")
	require.NoError(t, err)
	conn.Close()
	assert.Equal(t, []dialx.Event{
		{Op: "dial", Kind: "start", Network: "tcp", Address: fake.addr},
		{Op: "dial", Kind: "done", Network: "tcp", Address: fake.addr},
		{Op: "httpproxy", Kind: "tunnel", Network: "tcp", Address: "db.internal:5432", Detail: "http://" + fake.addr},
	}, events)
}

func TestHTTPProxyStacks(t *testing.T) {
	fake := startFakeProxy(t, answerThenEcho("HTTP/1.1 200 OK\r\n\r\n"))
	p := newHTTPProxy(t, &net.Dialer{}, fake.url(""))
	assert.Equal(t, []dialx.Dialer{&net.Dialer{}}, p.Unwrap())
	d := dialx.NewTimeout(dialx.NewRepeat(p, 2), time.Minute)
	conn, err := d.DialContext(context.Background(), "tcp", "db.internal:5432")
	require.NoError(t, err)
	echoes(t, conn, "stacked")
	conn.Close()
}

// TestHTTPProxyPrintsNoCredentials prints an HTTPProxy in every form fmt
// has: none shows its credentials, plain or in the Basic header.
func TestHTTPProxyPrintsNoCredentials(t *testing.T) {
	u, err := url.Parse("http://alice:s3cret@proxy.test:3128")
	require.NoError(t, err)
	p, err := dialx.NewHTTPProxy(&net.Dialer{}, u)
	require.NoError(t, err)
	basic := base64.StdEncoding.EncodeToString([]byte("alice:s3cret"))
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		printed := fmt.Sprintf(format, p)
		assert.NotContains(t, printed, "s3cret", format)
		assert.NotContains(t, printed, basic, format)
	}
}
