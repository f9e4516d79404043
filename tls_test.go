package dialx_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/faultnet"
)

// tlsServer starts an HTTPS server on loopback whose certificate holds
// 127.0.0.1, ::1 and example.com, and returns it with a pool that trusts it.
func tlsServer(t testing.TB) (*httptest.Server, *x509.CertPool) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "hello over TLS")
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshakes are the tests'
	srv.StartTLS()
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	return srv, roots
}

// recordingDialer dials over loopback and keeps each connection it made, so
// that tests can tell whether a decorator closed it.
type recordingDialer struct {
	dialed chan *closeRecorder // if not nil, gets each connection made
	mu     sync.Mutex
	conns  []*closeRecorder
}

type closeRecorder struct {
	net.Conn
	wrote     chan struct{} // closed at the first Write: the handshake began
	wroteOnce sync.Once
	mu        sync.Mutex
	closed    bool
}

func (c *closeRecorder) Write(p []byte) (int, error) {
	c.wroteOnce.Do(func() { close(c.wrote) })
	return c.Conn.Write(p)
}

func (c *closeRecorder) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	return c.Conn.Close()
}

func (c *closeRecorder) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

func (r *recordingDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	conn, err := (&net.Dialer{}).DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	rec := &closeRecorder{Conn: conn, wrote: make(chan struct{})}
	r.mu.Lock()
	r.conns = append(r.conns, rec)
	r.mu.Unlock()
	if r.dialed != nil {
		r.dialed <- rec
	}
	return rec, nil
}

func (r *recordingDialer) only(t *testing.T) *closeRecorder {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	require.Len(t, r.conns, 1)
	return r.conns[0]
}

func TestTLSServesHTTPSThroughDialTLSContext(t *testing.T) {
	srv, roots := tlsServer(t)
	d := dialx.NewTLS(dialx.NewTimeout(&net.Dialer{}, 5*time.Second), &tls.Config{RootCAs: roots})
	transport := &http.Transport{DialTLSContext: d.DialContext}
	defer transport.CloseIdleConnections()
	resp, err := (&http.Client{Transport: transport}).Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "hello over TLS", string(body))
	require.NotNil(t, resp.TLS, "the Transport saw a *tls.Conn")
	assert.True(t, resp.TLS.HandshakeComplete)
}

// The server name comes from the dialed host when the config has none,
// without touching the caller's config; an Endpoint beneath dials the
// server whatever name is asked, so the name verified is the asked one.
func TestTLSTakesTheServerNameFromTheDialedHost(t *testing.T) {
	srv, roots := tlsServer(t)
	config := &tls.Config{RootCAs: roots}
	d := dialx.NewTLS(dialx.NewEndpoint(&net.Dialer{}, srv.Listener.Addr().String()), config)
	tests := []struct {
		name, address, wantServerName, wantErr string
	}{
		{name: "a name in the certificate", address: "example.com:443", wantServerName: "example.com"},
		{name: "the same name again", address: "example.com:443", wantServerName: "example.com"},
		// An IP is verified, not sent: ConnectionState's ServerName is the name sent.
		{name: "an IP in the certificate", address: "127.0.0.1:443"},
		{name: "an IPv6 literal in the certificate", address: "[::1]:443"},
		{name: "a name not in the certificate", address: "other.example:443", wantErr: ", not other.example"},
		{name: "an IP not in the certificate", address: "192.0.2.1:443", wantErr: ", not 192.0.2.1"},
		{name: "an IPv6 literal not in the certificate", address: "[2001:db8::1]:443", wantErr: ", not 2001:db8::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := d.DialContext(context.Background(), "tcp", tt.address)
			if tt.wantErr != "" {
				var verify *tls.CertificateVerificationError
				require.ErrorAs(t, err, &verify)
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			defer conn.Close()
			state := conn.(*tls.Conn).ConnectionState()
			assert.True(t, state.HandshakeComplete)
			assert.Equal(t, tt.wantServerName, state.ServerName)
		})
	}
	assert.Empty(t, config.ServerName, "the caller's config is left alone")
}

// Concurrent dials to hosts that take turns each send and verify their own
// host's name, while the config kept for the last host changes under them.
func TestTLSServerNameUnderConcurrentDials(t *testing.T) {
	srv, roots := tlsServer(t)
	d := dialx.NewTLS(dialx.NewEndpoint(&net.Dialer{}, srv.Listener.Addr().String()), &tls.Config{RootCAs: roots})
	hosts := []string{"example.com", "127.0.0.1", "other.example"}
	var wg sync.WaitGroup
	for i := range 24 {
		host := hosts[i%len(hosts)]
		wg.Go(func() {
			conn, err := d.DialContext(context.Background(), "tcp", net.JoinHostPort(host, "443"))
			if host == "other.example" {
				var verify *tls.CertificateVerificationError
				assert.ErrorAs(t, err, &verify, "other.example is not in the certificate")
				return
			}
			if !assert.NoError(t, err, host) {
				return
			}
			defer conn.Close()
			want := host
			if host == "127.0.0.1" {
				want = "" // an IP is verified, not sent
			}
			assert.Equal(t, want, conn.(*tls.Conn).ConnectionState().ServerName)
		})
	}
	wg.Wait()
}

func TestTLSKeepsAConfiguredServerName(t *testing.T) {
	srv, roots := tlsServer(t)
	d := dialx.NewTLS(&net.Dialer{}, &tls.Config{RootCAs: roots, ServerName: "example.com"})
	conn, err := d.DialContext(context.Background(), "tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	assert.Equal(t, "example.com", conn.(*tls.Conn).ConnectionState().ServerName)
}

func TestTLSFailedHandshakeNamesTheAddressAndClosesTheConnection(t *testing.T) {
	srv, _ := tlsServer(t)
	address := srv.Listener.Addr().String()
	inner := &recordingDialer{}
	conn, err := dialx.NewTLS(inner, nil).DialContext(context.Background(), "tcp", address)
	require.Nil(t, conn)
	var verify *tls.CertificateVerificationError
	require.ErrorAs(t, err, &verify, "an untrusted certificate")
	var unknown x509.UnknownAuthorityError
	assert.ErrorAs(t, err, &unknown)
	var dialErr *dialx.DialError
	require.ErrorAs(t, err, &dialErr)
	assert.Equal(t, "tls", dialErr.Op)
	assert.Equal(t, address, dialErr.Addr)
	assert.ErrorContains(t, err, "dialx: tls tcp "+address+": tls: failed to verify certificate")
	assert.True(t, inner.only(t).isClosed())
}

func TestTLSHandshakeEndsWithCtx(t *testing.T) {
	silent := faultnet.StartSilent(t) // accepts, never answers the ClientHello
	inner := &recordingDialer{dialed: make(chan *closeRecorder, 1)}
	d := dialx.NewTLS(inner, nil)

	ctx, cancel := context.WithCancel(context.Background())
	result := make(chan error, 1)
	go func() {
		_, err := d.DialContext(ctx, "tcp", silent.Addr())
		result <- err
	}()
	<-(<-inner.dialed).wrote
	cancel()
	err := <-result
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorContains(t, err, "dialx: tls tcp "+silent.Addr())
	assert.True(t, inner.only(t).isClosed())
	assert.NoError(t, silent.WaitIdle(5*time.Second), "the server saw the connection closed")

	ctx, cancelTimeout := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancelTimeout()
	_, err = d.DialContext(ctx, "tcp", silent.Addr())
	<-inner.dialed
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var netErr net.Error
	require.ErrorAs(t, err, &netErr)
	assert.True(t, netErr.Timeout())
}

func TestTLSPassesOnTheInnerDialersError(t *testing.T) {
	refused := errors.New("refused")
	d := dialx.NewTLS(dialx.NewReject(refused), nil)
	_, err := d.DialContext(context.Background(), "tcp", "example.com:443")
	assert.ErrorIs(t, err, refused)

	_, err = d.DialContext(context.Background(), "tcp", "example.com")
	assert.ErrorContains(t, err, "dialx: tls tcp example.com: address example.com: missing port in address")
}

func TestTLSTracesTheHandshake(t *testing.T) {
	srv, roots := tlsServer(t)
	address := srv.Listener.Addr().String()
	var events []dialx.Event
	ctx := dialx.WithTrace(context.Background(), func(_ context.Context, e dialx.Event) {
		e.Elapsed = 0
		events = append(events, e)
	})
	conn, err := dialx.NewTLS(&net.Dialer{}, &tls.Config{RootCAs: roots}).DialContext(ctx, "tcp", address)
	require.NoError(t, err)
	conn.Close()
	assert.Equal(t, []dialx.Event{
		{Op: "dial", Kind: "start", Network: "tcp", Address: address},
		{Op: "dial", Kind: "done", Network: "tcp", Address: address},
		{Op: "tls", Kind: "handshake", Network: "tcp", Address: address, Detail: "127.0.0.1"},
	}, events)
}

func TestNewTLSPanicsOnANilDialer(t *testing.T) {
	assert.PanicsWithValue(t, "dialx: NewTLS: d must not be nil, got nil", func() { dialx.NewTLS(nil, nil) })
}
