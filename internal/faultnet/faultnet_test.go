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

func TestRefused(t *testing.T) {
	s := faultnet.StartRefused(t)
	c, took, allow, err := timedHandshake(t, s.Addr(), quick)
	require.Nil(t, c)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	assert.Less(t, took, allow, "refused at once (slack %v)", allow)
	assert.Equal(t, 0, s.Accepted())
}

func TestBlackhole(t *testing.T) {
	s := faultnet.StartBlackhole(t)
	for range 3 { // stays full: every attempt hangs
		c, took, allow, err := timedHandshake(t, s.Addr(), 100*time.Millisecond)
		require.Nil(t, c)
		requireTimeout(t, err)
		// The deadline is set before the clock is read, so the measured
		// time can fall a hair short of it.
		assert.GreaterOrEqual(t, took, 80*time.Millisecond)
		assert.Less(t, took, 100*time.Millisecond+allow, "slack %v", allow)
	}
	assert.Equal(t, 0, s.Accepted())
}

func TestReset(t *testing.T) {
	s := faultnet.StartReset(t)
	c, _, err := dialHandshake(t, s.Addr(), quick)
	require.Nil(t, c)
	assert.ErrorIs(t, err, syscall.ECONNRESET)
	var op *net.OpError
	assert.ErrorAs(t, err, &op)
	require.NoError(t, s.WaitIdle(patience()))
	assert.Equal(t, 1, s.Accepted())
	assert.Equal(t, 1, s.ServerClosed())
}

func TestResetBareConnect(t *testing.T) {
	s := faultnet.StartReset(t)
	c, err := net.Dial("tcp", s.Addr())
	if err == nil {
		// The kernel completed the handshake before the server reset.
		defer c.Close()
		_, err = c.Read(make([]byte, 1))
	}
	assert.ErrorIs(t, err, syscall.ECONNRESET)
}

func TestSlow(t *testing.T) {
	t.Run("slower than the dial", func(t *testing.T) {
		s := faultnet.StartSlow(t, time.Hour)
		c, took, allow, err := timedHandshake(t, s.Addr(), 50*time.Millisecond)
		require.Nil(t, c)
		requireTimeout(t, err)
		assert.Less(t, took, 50*time.Millisecond+allow, "slack %v", allow)
		require.NoError(t, s.WaitIdle(patience()), "a client giving up during the delay is noticed at once")
		assert.Equal(t, 1, s.ClientClosed())
	})
	t.Run("within the dial", func(t *testing.T) {
		s := faultnet.StartSlow(t, 30*time.Millisecond)
		c, took, err := dialHandshake(t, s.Addr(), quick)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, took, 30*time.Millisecond)
		echoByte(t, c)
		require.NoError(t, c.Close())
		require.NoError(t, s.WaitIdle(patience()))
		assert.Equal(t, 1, s.ClientClosed())
	})
}

func TestSilent(t *testing.T) {
	s := faultnet.StartSilent(t)
	c, _, err := dialHandshake(t, s.Addr(), 50*time.Millisecond)
	require.Nil(t, c)
	requireTimeout(t, err)
	require.NoError(t, s.WaitIdle(patience()))
	assert.Equal(t, 1, s.Accepted())
	assert.Equal(t, 1, s.ClientClosed())
}

func TestHandshakeCanceled(t *testing.T) {
	s := faultnet.StartSilent(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	c, err := faultnet.Handshake{}.DialContext(ctx, "tcp", s.Addr())
	require.Nil(t, c)
	assert.ErrorIs(t, err, context.Canceled)
	require.NoError(t, s.WaitIdle(patience()))
}

func TestEcho(t *testing.T) {
	s := faultnet.StartEcho(t)
	c, _, err := dialHandshake(t, s.Addr(), quick)
	require.NoError(t, err)
	echoByte(t, c)
	assert.Equal(t, 1, s.Open())
	require.Error(t, s.WaitIdle(10*time.Millisecond), "the connection is still open")
	require.NoError(t, c.Close())
	require.NoError(t, s.WaitIdle(patience()))
	assert.Equal(t, 1, s.ClientClosed())
}

func TestFlakyIsDeterministic(t *testing.T) {
	const dials = 40
	outcomes := func() []bool {
		s := faultnet.StartFlaky(t, 0.3, 7)
		var ok []bool
		for range dials {
			c, _, err := dialHandshake(t, s.Addr(), quick)
			if err == nil {
				c.Close()
			} else {
				assert.ErrorIs(t, err, syscall.ECONNRESET)
			}
			ok = append(ok, err == nil)
		}
		require.NoError(t, s.WaitIdle(patience()))
		assert.Equal(t, dials, s.Accepted())
		assert.Equal(t, s.Failed(), s.ServerClosed())
		assert.Equal(t, dials-s.Failed(), s.ClientClosed())
		assert.InDelta(t, 0.3*dials, s.Failed(), 0.2*dials)
		return ok
	}
	assert.Equal(t, outcomes(), outcomes(), "same seed, same sequence")
}

func TestFlakyPanicsOnBadFraction(t *testing.T) {
	assert.PanicsWithValue(t, "faultnet: StartFlaky: failFraction must be within [0, 1], got 1.5", func() {
		faultnet.StartFlaky(t, 1.5, 1)
	})
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

func TestFDCount(t *testing.T) {
	before, ok := faultnet.FDCount()
	if !ok {
		t.Skip("no /proc/self/fd on this platform")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	now, _ := faultnet.FDCount()
	assert.Equal(t, before+1, now)
	require.NoError(t, ln.Close())
	now, _ = faultnet.FDCount()
	assert.Equal(t, before, now)
}

func TestCheckFDsCatchesALeak(t *testing.T) {
	if _, ok := faultnet.FDCount(); !ok {
		t.Skip("no /proc/self/fd on this platform")
	}
	// Descriptors of earlier tests may still be closing in the background;
	// one of them closing after the baseline would hide the leak below.
	settleFDs(t)
	ft := &fakeTB{TB: t}
	check := faultnet.CheckFDs(ft)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	check()
	assert.True(t, ft.failed, "a listener left open is reported")
}

// settleFDs waits until the descriptor count holds still for 50ms.
func settleFDs(t *testing.T) {
	t.Helper()
	last, _ := faultnet.FDCount()
	require.Eventually(t, func() bool {
		now, _ := faultnet.FDCount()
		stable := now == last
		last = now
		return stable
	}, 5*time.Second, 50*time.Millisecond)
}

type fakeTB struct {
	testing.TB
	failed bool
}

func (f *fakeTB) Errorf(string, ...any) { f.failed = true }
func (f *fakeTB) Helper()               {}

func echoByte(t *testing.T, c net.Conn) {
	t.Helper()
	_, err := c.Write([]byte{'x'})
	require.NoError(t, err)
	b := make([]byte, 1)
	_, err = io.ReadFull(c, b)
	require.NoError(t, err)
	assert.Equal(t, byte('x'), b[0])
}
