package faultnet_test

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx/internal/faultnet"
	"github.com/dialx/dialx/internal/slack"
)

// idle is how long a server may take on a quiet machine to see the
// client's close.
const idle = 2 * time.Second

// patience is idle plus the slack for the load the machine is under now.
func patience() time.Duration {
	return idle + slack.Now(10*time.Millisecond)
}

// quick is how long a dial to a fault that does not hang is given, which it
// must not need.
const quick = 5 * time.Second

// dialHandshake dials addr with faultnet.Handshake and a ctx deadline of
// timeout, and returns what the dial took.
func dialHandshake(t *testing.T, addr string, timeout time.Duration) (net.Conn, time.Duration, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	c, err := faultnet.Handshake{}.DialContext(ctx, "tcp", addr)
	return c, time.Since(start), err
}

// timedHandshake is dialHandshake with the slack the dial may take beyond
// its deadline on this machine right now: control timers of min(timeout,
// 100ms) run next to the dial, and the slack is calibrated from their
// lateness (see internal/slack).
func timedHandshake(t *testing.T, addr string, timeout time.Duration) (c net.Conn, took, allow time.Duration, err error) {
	t.Helper()
	late := slack.Measure(min(timeout, 100*time.Millisecond))
	c, took, err = dialHandshake(t, addr, timeout)
	return c, took, slack.Allow(late()), err
}

func requireTimeout(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	// A connect that hits the deadline the net package derived from ctx
	// reports os.ErrDeadlineExceeded rather than ctx's own error.
	assert.True(t, errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded), "got %v", err)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout(), "Timeout() of %v", err)
}

func TestCloseEndsOpenConnections(t *testing.T) {
	s := faultnet.StartEcho(t)
	c, _, err := dialHandshake(t, s.Addr(), quick)
	require.NoError(t, err)
	defer c.Close()
	s.Close()
	assert.Equal(t, 0, s.Open())
	assert.Equal(t, 1, s.ServerClosed())
	_, err = c.Read(make([]byte, 1))
	assert.True(t, errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET), "got %v", err)
	s.Close() // twice is fine
}

func echoByte(t *testing.T, c net.Conn) {
	t.Helper()
	_, err := c.Write([]byte{'x'})
	require.NoError(t, err)
	b := make([]byte, 1)
	_, err = io.ReadFull(c, b)
	require.NoError(t, err)
	assert.Equal(t, byte('x'), b[0])
}
