package proxyinterop_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loopbackOnly is the dial function the proxy servers get: a ".test"
// name or 127.0.0.1 is dialed on 127.0.0.1, anything else refused.
func loopbackOnly(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	if host != "127.0.0.1" && !strings.HasSuffix(host, ".test") {
		return nil, fmt.Errorf("test proxy: %s is not a loopback destination", address)
	}
	return (&net.Dialer{}).DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
}

// portOf is the port of a host:port.
func portOf(t *testing.T, address string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(address)
	require.NoError(t, err)
	return port
}

// setProxyEnvironment sets the proxy variables that ProxyFromEnvironment
// reads: those of env, every other one empty, which counts as unset.
func setProxyEnvironment(t *testing.T, env map[string]string) {
	t.Helper()
	for _, name := range []string{"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
		"all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY", "REQUEST_METHOD"} {
		t.Setenv(name, env[name])
	}
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
