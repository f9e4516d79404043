package faultnet_test

import (
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx/internal/faultnet"
)

func TestResetServerResetsAnAcceptedHandshake(t *testing.T) {
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

func TestResetServerResetsABareConnect(t *testing.T) {
	s := faultnet.StartReset(t)
	c, err := net.Dial("tcp", s.Addr())
	if err == nil {
		// The kernel completed the handshake before the server reset.
		defer c.Close()
		_, err = c.Read(make([]byte, 1))
	}
	assert.ErrorIs(t, err, syscall.ECONNRESET)
}

func TestSlowServerDelaysItsHandshake(t *testing.T) {
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

func TestSilentServerNeverAnswersTheHandshake(t *testing.T) {
	s := faultnet.StartSilent(t)
	c, _, err := dialHandshake(t, s.Addr(), 50*time.Millisecond)
	require.Nil(t, c)
	requireTimeout(t, err)
	require.NoError(t, s.WaitIdle(patience()))
	assert.Equal(t, 1, s.Accepted())
	assert.Equal(t, 1, s.ClientClosed())
}

func TestEchoServerEchoesUntilTheClientCloses(t *testing.T) {
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
