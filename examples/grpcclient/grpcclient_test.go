package grpcclient_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/examples/grpcclient"
)

// startHealthServer starts a gRPC server on 127.0.0.1 that serves only the
// standard health service, and stops it when the test ends. It returns the
// server's port.
func startHealthServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	server := grpc.NewServer()
	healthpb.RegisterHealthServer(server, health.NewServer())
	served := make(chan error, 1)
	go func() { served <- server.Serve(ln) }()
	t.Cleanup(func() {
		server.Stop()
		require.NoError(t, <-served)
	})
	_, port, err := net.SplitHostPort(ln.Addr().String())
	require.NoError(t, err)
	return port
}

// requireLocalhost skips the test unless the hosts file resolves
// "localhost", so that neither gRPC's "dns" resolver nor a net.Dialer would
// need to ask a name server, which is not on loopback.
func requireLocalhost(t *testing.T) {
	t.Helper()
	hostsOnly := &net.Resolver{
		PreferGo: true,
		Dial: func(context.Context, string, string) (net.Conn, error) {
			return nil, errors.New("no name server in this test")
		},
	}
	if _, err := hostsOnly.LookupHost(t.Context(), "localhost"); err != nil {
		t.Skipf("localhost does not resolve from the hosts file here: %v", err)
	}
}

// recorder is a Dialer that notes the address and the result of every dial
// it passes to the Dialer it wraps. gRPC may dial from several goroutines.
type recorder struct {
	dialer dialx.Dialer
	mu     sync.Mutex
	addrs  []string
	errs   []error
}

func (r *recorder) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	conn, err := r.dialer.DialContext(ctx, network, address)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addrs = append(r.addrs, address)
	if err != nil {
		r.errs = append(r.errs, err)
	}
	return conn, err
}

func (r *recorder) seen() ([]string, []error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.addrs...), append([]error(nil), r.errs...)
}

// checkHealth dials target through d and makes one health check. The
// client is closed before it returns.
func checkHealth(t *testing.T, target string, d dialx.Dialer) (healthpb.HealthCheckResponse_ServingStatus, error) {
	t.Helper()
	conn, err := grpc.NewClient(target,
		grpcclient.WithDialer(d),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		// No service config from DNS TXT records: resolving "localhost"
		// then needs only the hosts file, never a name server.
		grpc.WithDisableServiceConfig(),
	)
	require.NoError(t, err)
	defer conn.Close()

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		return healthpb.HealthCheckResponse_UNKNOWN, err
	}
	return resp.GetStatus(), nil
}

func TestHealthCheckThroughStack(t *testing.T) {
	port := startHealthServer(t)
	refused, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refusedAddr := refused.Addr().String()
	require.NoError(t, refused.Close())

	// Two replicas of one service, the first down: the stack fails over.
	replica := func(addr string) dialx.Dialer {
		var d net.Dialer
		return dialx.DialerFunc(func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		})
	}
	stack := dialx.NewTimeout(dialx.NewConsecutive(replica(refusedAddr), replica("127.0.0.1:"+port)), 5*time.Second)

	got, err := checkHealth(t, "passthrough:///health.test:443", stack)
	require.NoError(t, err)
	assert.Equal(t, healthpb.HealthCheckResponse_SERVING, got)
}

// The fact users trip over: grpc.NewClient resolves the target's name before
// it calls the dialer, unless the target uses the passthrough scheme.
func TestDialerSeesResolvedAddressUnlessPassthrough(t *testing.T) {
	requireLocalhost(t)
	port := startHealthServer(t)
	tests := []struct {
		name     string
		target   string
		resolved bool // the dialer sees an IP literal, not "localhost"
	}{
		{name: "passthrough scheme", target: "passthrough:///localhost:" + port, resolved: false},
		{name: "dns scheme", target: "dns:///localhost:" + port, resolved: true},
		{name: "no scheme means dns", target: "localhost:" + port, resolved: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{dialer: &net.Dialer{}}
			got, err := checkHealth(t, tt.target, rec)
			require.NoError(t, err)
			assert.Equal(t, healthpb.HealthCheckResponse_SERVING, got)

			addrs, _ := rec.seen()
			require.NotEmpty(t, addrs)
			for _, addr := range addrs {
				host, gotPort, err := net.SplitHostPort(addr)
				require.NoError(t, err)
				assert.Equal(t, port, gotPort)
				if !tt.resolved {
					assert.Equal(t, "localhost", host)
					continue
				}
				// localhost may resolve to 127.0.0.1, ::1 or both,
				// depending on the hosts file.
				ip := net.ParseIP(host)
				require.NotNil(t, ip, "the dialer saw %q, not an IP literal", addr)
				assert.True(t, ip.IsLoopback(), "the dialer saw %q", addr)
			}
		})
	}
}

// A Selective with a rule for the name "localhost" routes a passthrough
// target, but never matches the IP address that the dns scheme hands over.
func TestSelectiveNameRulesNeedPassthrough(t *testing.T) {
	requireLocalhost(t)
	port := startHealthServer(t)
	routes, err := dialx.NewSelective(
		dialx.Rule{Pattern: "localhost:" + port, Dialer: dialx.NewTimeout(&net.Dialer{}, 5*time.Second)},
	)
	require.NoError(t, err)

	t.Run("passthrough", func(t *testing.T) {
		rec := &recorder{dialer: routes}
		got, err := checkHealth(t, "passthrough:///localhost:"+port, rec)
		require.NoError(t, err)
		assert.Equal(t, healthpb.HealthCheckResponse_SERVING, got)
	})
	t.Run("dns", func(t *testing.T) {
		rec := &recorder{dialer: routes}
		_, err := checkHealth(t, "dns:///localhost:"+port, rec)
		require.Error(t, err)
		assert.Equal(t, codes.Unavailable, status.Code(err))
		assert.Contains(t, err.Error(), "no rule matches")

		_, errs := rec.seen()
		require.NotEmpty(t, errs)
		for _, err := range errs {
			assert.ErrorIs(t, err, dialx.ErrNoMatch)
			assert.False(t, strings.Contains(err.Error(), "localhost"), "the dialer never saw the name: %v", err)
		}
	})
}
