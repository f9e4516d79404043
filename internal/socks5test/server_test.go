package socks5test_test

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/proxy"

	"github.com/dialx/dialx/internal/faultnet"
	"github.com/dialx/dialx/internal/socks5test"
)

func socksDialer(t *testing.T, s *socks5test.Server) proxy.ContextDialer {
	t.Helper()
	d, err := proxy.SOCKS5("tcp", s.Addr(), nil, &net.Dialer{})
	require.NoError(t, err)
	return d.(proxy.ContextDialer)
}

func TestConnectRelaysToALoopbackDestinationByIPOrName(t *testing.T) {
	tests := []struct {
		name string
		host string
	}{
		{name: "IPv4", host: "127.0.0.1"},
		{name: "domain localhost", host: "localhost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			echo := faultnet.StartEcho(t)
			s := socks5test.Start(t)
			_, port, _ := net.SplitHostPort(echo.Addr())
			c, err := socksDialer(t, s).DialContext(context.Background(), "tcp", net.JoinHostPort(tt.host, port))
			require.NoError(t, err)
			b := make([]byte, 1)
			_, err = io.ReadFull(c, b)
			require.NoError(t, err)
			assert.Equal(t, byte(faultnet.Greeting), b[0])
			_, err = c.Write([]byte{'x'})
			require.NoError(t, err)
			_, err = io.ReadFull(c, b)
			require.NoError(t, err)
			assert.Equal(t, byte('x'), b[0])
			require.NoError(t, c.Close())
			require.NoError(t, s.WaitIdle(2*time.Second))
			require.NoError(t, echo.WaitIdle(2*time.Second))
			assert.Equal(t, 1, s.Connects())
			assert.Equal(t, 1, echo.ClientClosed())
		})
	}
}

func TestRefusesANonLoopbackOrRefusedDestination(t *testing.T) {
	refused := faultnet.StartRefused(t)
	tests := []struct {
		name    string
		address string
		wantErr string
	}{
		{name: "destination not loopback", address: "example.invalid:80", wantErr: "not allowed"},
		{name: "destination refuses", address: refused.Addr(), wantErr: "refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := socks5test.Start(t)
			c, err := socksDialer(t, s).DialContext(context.Background(), "tcp", tt.address)
			require.Nil(t, c)
			require.ErrorContains(t, err, tt.wantErr)
			require.NoError(t, s.WaitIdle(2*time.Second))
			assert.Equal(t, 0, s.Connects())
			assert.Equal(t, 1, s.Refusals())
		})
	}
}

func TestRejectsAClientThatOffersOnlyAuthentication(t *testing.T) {
	s := socks5test.Start(t)
	c, err := net.Dial("tcp", s.Addr())
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write([]byte{5, 1, 0x02}) // username/password only
	require.NoError(t, err)
	reply := make([]byte, 2)
	_, err = io.ReadFull(c, reply)
	require.NoError(t, err)
	assert.Equal(t, []byte{5, 0xff}, reply)
}

func TestCloseEndsRelays(t *testing.T) {
	echo := faultnet.StartEcho(t)
	s := socks5test.Start(t)
	c, err := socksDialer(t, s).DialContext(context.Background(), "tcp", echo.Addr())
	require.NoError(t, err)
	defer c.Close()
	s.Close()
	assert.Equal(t, 0, s.Open())
	require.NoError(t, echo.WaitIdle(2*time.Second))
}
