package httpclient_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/examples/httpclient"
)

// refusedAddr returns a loopback address where nothing listens: the port of
// a listener that was opened and closed again.
func refusedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// startServer starts a loopback HTTP server that answers with the Host the
// request named, and stops it when the test ends.
func startServer(t *testing.T) *httptest.Server {
	t.Helper()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from %s", r.Host)
	}))
	t.Cleanup(server.Close)
	return server
}

// get fetches url through transport and returns the body.
func get(t *testing.T, transport *http.Transport, url string) (string, error) {
	t.Helper()
	client := &http.Client{Transport: transport}
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return string(body), err
}

func TestReplicasFailOverToTheLiveOne(t *testing.T) {
	server := startServer(t)
	live := server.Listener.Addr().String()
	tests := []struct {
		name     string
		replicas []string
	}{
		{name: "first replica refuses", replicas: []string{refusedAddr(t), live}},
		{name: "first replica is up", replicas: []string{live, refusedAddr(t)}},
		{name: "only replica", replicas: []string{live}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			transport := httpclient.NewTransport(httpclient.Replicas(5*time.Second, tt.replicas...))
			defer transport.CloseIdleConnections()

			// api.test is never resolved: the stack decides where to connect.
			body, err := get(t, transport, "http://api.test/")
			require.NoError(t, err)
			assert.Equal(t, "hello from api.test", body)
		})
	}
}

func TestReplicasAllDownKeepsEveryCause(t *testing.T) {
	transport := httpclient.NewTransport(httpclient.Replicas(5*time.Second, refusedAddr(t), refusedAddr(t)))
	defer transport.CloseIdleConnections()

	_, err := get(t, transport, "http://api.test/")
	require.Error(t, err)

	var dialErr *dialx.DialError
	require.ErrorAs(t, err, &dialErr, "the dial error survives http.Client's *url.Error")
	assert.Equal(t, "repeat", dialErr.Op)
	assert.Equal(t, "api.test:80", dialErr.Addr)
	var opErr *net.OpError
	require.ErrorAs(t, err, &opErr, "the socket's own error is still reachable")
	assert.Equal(t, "dial", opErr.Op)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	assert.Contains(t, err.Error(), "all 2 tries failed")
}

// stuckDialer is a Dialer that honours its ctx but never connects: each dial
// hands its ctx to the test on started, blocks until that ctx is done, and
// reports the ctx error on ended.
type stuckDialer struct {
	started chan context.Context
	ended   chan error
}

func newStuckDialer() *stuckDialer {
	return &stuckDialer{started: make(chan context.Context), ended: make(chan error, 1)}
}

func (d *stuckDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	d.started <- ctx
	<-ctx.Done()
	d.ended <- ctx.Err()
	return nil, ctx.Err()
}

// cancelDuringDial sends a GET through transport, waits until dialer has
// started the dial, cancels the request and returns the ctx the dial runs
// under together with the request's error.
func cancelDuringDial(t *testing.T, transport *http.Transport, dialer *stuckDialer) (context.Context, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://api.test/", nil)
	require.NoError(t, err)

	errs := make(chan error)
	go func() {
		resp, err := transport.RoundTrip(req)
		if err == nil {
			resp.Body.Close()
		}
		errs <- err
	}()
	dialCtx := <-dialer.started
	cancel()
	return dialCtx, <-errs
}

// The fact users trip over: http.Transport detaches a dial from the request
// that caused it. Cancelling the request returns from RoundTrip, but the
// dial's ctx is not cancelled and the dial goes on.
func TestTransportDialOutlivesCancelledRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dialer := newStuckDialer()
		transport := httpclient.NewTransport(dialer)

		dialCtx, reqErr := cancelDuringDial(t, transport, dialer)
		require.ErrorIs(t, reqErr, context.Canceled, "the request ends at once")

		time.Sleep(time.Hour) // fake time: an hour passes in the bubble
		synctest.Wait()
		assert.NoError(t, dialCtx.Err(), "an hour later the dial's ctx is still live")
		select {
		case err := <-dialer.ended:
			t.Fatalf("the dial ended (%v); http.Transport no longer detaches dials", err)
		default:
		}

		// Nothing in the request bounds the dial; only the Transport can
		// still stop it: CloseIdleConnections cancels dials nobody waits for.
		transport.CloseIdleConnections()
		assert.ErrorIs(t, <-dialer.ended, context.Canceled)
	})
}

// The remedy: a Timeout in the stack bounds the detached dial.
func TestTimeoutBoundsDetachedDial(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const timeout = 5 * time.Second
		dialer := newStuckDialer()
		transport := httpclient.NewTransport(dialx.NewTimeout(dialer, timeout))
		defer transport.CloseIdleConnections()

		start := time.Now()
		dialCtx, reqErr := cancelDuringDial(t, transport, dialer)
		require.ErrorIs(t, reqErr, context.Canceled)
		synctest.Wait()
		assert.NoError(t, dialCtx.Err(), "cancelling the request did not reach the dial")

		assert.ErrorIs(t, <-dialer.ended, context.DeadlineExceeded)
		assert.Equal(t, timeout, time.Since(start), "the Timeout, not the request, ended the dial")
	})
}

func TestNewTransportUsesNoProxy(t *testing.T) {
	transport := httpclient.NewTransport(dialx.NewReject(nil))
	assert.Nil(t, transport.Proxy, "a proxy would make the Transport dial the proxy, not the stack's choice")
	_, err := get(t, transport, "http://api.test/")
	assert.True(t, errors.Is(err, dialx.ErrRejected))
}
