package dialtest_test

import (
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx/internal/dialtest"
)

func TestEchoServerCountsClientCloses(t *testing.T) {
	srv := dialtest.StartEcho(t)
	conn, err := net.Dial("tcp", srv.Addr())
	require.NoError(t, err)
	_, err = conn.Write([]byte("x"))
	require.NoError(t, err)
	buf := make([]byte, 1)
	_, err = conn.Read(buf)
	require.NoError(t, err)
	assert.Equal(t, "x", string(buf))
	assert.Equal(t, 1, srv.Accepted())
	assert.Equal(t, 0, srv.Finished())
	require.NoError(t, conn.Close())
	require.Eventually(t, func() bool { return srv.Finished() == 1 }, 5*time.Second, time.Millisecond)
}
