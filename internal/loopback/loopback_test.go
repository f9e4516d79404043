package loopback_test

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx/internal/loopback"
)

// start serves each connection with handle on a fresh Tracker.
func start(t *testing.T, handle func(net.Conn) loopback.Ending) (*loopback.Tracker, string) {
	t.Helper()
	tr := loopback.New()
	ln := loopback.Listen(t, "test")
	tr.Serve(ln, handle)
	t.Cleanup(func() { tr.Close() })
	return tr, ln.Addr().String()
}

func drain(c net.Conn) loopback.Ending {
	io.Copy(io.Discard, c)
	return loopback.ByClient
}

func TestTrackerCountsWhichSideEndedEachConnection(t *testing.T) {
	tests := []struct {
		name             string
		handle           func(net.Conn) loopback.Ending
		client, server   int
		closeClientFirst bool
	}{
		{name: "client closes", handle: drain, client: 1, closeClientFirst: true},
		{name: "server closes", handle: func(net.Conn) loopback.Ending { return loopback.ByServer }, server: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, addr := start(t, tt.handle)
			c, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			defer c.Close()
			if tt.closeClientFirst {
				c.Close()
			}
			require.Eventually(t, func() bool { return tr.Accepted() == 1 }, 5*time.Second, time.Millisecond)
			require.NoError(t, tr.WaitIdle(5*time.Second))
			assert.Equal(t, 0, tr.Open())
			assert.Equal(t, tt.client, tr.ClientClosed())
			assert.Equal(t, tt.server, tr.ServerClosed())
		})
	}
}

func TestWaitIdleTimesOutWhileAConnectionIsOpen(t *testing.T) {
	tr, addr := start(t, drain)
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	require.Eventually(t, func() bool { return tr.Open() == 1 }, 5*time.Second, time.Millisecond)
	assert.EqualError(t, tr.WaitIdle(10*time.Millisecond), "1 connection(s) still open after 10ms")
}

func TestCloseEndsOpenAndHeldConnections(t *testing.T) {
	tr, addr := start(t, drain)
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	held, other := net.Pipe()
	defer other.Close()
	require.True(t, tr.Hold(held))
	require.Eventually(t, func() bool { return tr.Open() == 2 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, 1, tr.Accepted())

	assert.True(t, tr.Close())
	assert.False(t, tr.Close())
	assert.Equal(t, 1, tr.Open()) // the held one until Release
	assert.Equal(t, 1, tr.ServerClosed())
	_, err = held.Write([]byte{1})
	require.ErrorIs(t, err, io.ErrClosedPipe)
	tr.Release(held)
	assert.Equal(t, 0, tr.Open())
	assert.False(t, tr.Hold(held))
}
