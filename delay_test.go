package dialx_test

import (
	"context"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

func TestDelayWaitsThenDials(t *testing.T) {
	for _, delay := range []time.Duration{0, time.Millisecond, 3 * time.Second} {
		t.Run(delay.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var dialedAfter time.Duration
				start := time.Now()
				inner := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
					dialedAfter = time.Since(start)
					return dialtest.NewConn("ok"), nil
				})
				conn, err := dialx.NewDelay(inner, delay).DialContext(context.Background(), "tcp", "127.0.0.1:80")
				require.NoError(t, err)
				conn.Close()
				assert.Equal(t, delay, dialedAfter)
			})
		})
	}
}

func TestDelayReturnsAtOnceWhenCancelledDuringTheWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(time.Second, cancel)
		inner := &dialtest.Dialer{}
		start := time.Now()
		conn, err := dialx.NewDelay(inner, time.Hour).DialContext(ctx, "tcp", "127.0.0.1:80")
		assert.Equal(t, time.Second, time.Since(start), "returns as soon as ctx is cancelled")
		assert.Nil(t, conn)
		assert.ErrorIs(t, err, context.Canceled)
		assert.EqualError(t, err, "dialx: delay tcp 127.0.0.1:80: context canceled")
		assert.Zero(t, inner.Calls(), "the inner dialer is never called")
	})
}

func TestDelayFailsWithATimeoutWhenTheDeadlinePassesDuringTheWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		inner := &dialtest.Dialer{}
		_, err := dialx.NewDelay(inner, time.Hour).DialContext(ctx, "tcp", "127.0.0.1:80")
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		var dialErr *dialx.DialError
		require.ErrorAs(t, err, &dialErr)
		assert.True(t, dialErr.Timeout())
		assert.Zero(t, inner.Calls())
	})
}

// A dial whose ctx is already done never reaches the inner dialer, whatever
// the delay, zero included.
func TestDelayNeverDialsWithADoneContext(t *testing.T) {
	for _, delay := range []time.Duration{0, time.Second} {
		t.Run(delay.String(), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			inner := &dialtest.Dialer{}
			conn, err := dialx.NewDelay(inner, delay).DialContext(ctx, "tcp", "127.0.0.1:80")
			assert.Nil(t, conn)
			assert.ErrorIs(t, err, context.Canceled)
			assert.EqualError(t, err, "dialx: delay tcp 127.0.0.1:80: context canceled")
			assert.Zero(t, inner.Calls(), "the inner dialer is never called")
		})
	}
}
