package dialx_test

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

func TestTimeoutGivesInnerDialTheEarlierDeadline(t *testing.T) {
	tests := []struct {
		name           string
		parentDeadline time.Duration // 0: none
		timeout        time.Duration
		want           time.Duration
	}{
		{name: "no parent deadline", timeout: time.Second, want: time.Second},
		{name: "parent later", parentDeadline: time.Minute, timeout: time.Second, want: time.Second},
		{name: "parent earlier", parentDeadline: 100 * time.Millisecond, timeout: time.Second, want: 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := context.Background()
				if tt.parentDeadline > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tt.parentDeadline)
					defer cancel()
				}
				var got time.Time
				inner := dialx.DialerFunc(func(ctx context.Context, _, _ string) (net.Conn, error) {
					got, _ = ctx.Deadline()
					return dialtest.NewConn("ok"), nil
				})
				start := time.Now()
				conn, err := dialx.NewTimeout(inner, tt.timeout).DialContext(ctx, "tcp", "127.0.0.1:80")
				require.NoError(t, err)
				conn.Close()
				assert.Equal(t, start.Add(tt.want), got)
			})
		})
	}
}

func TestTimeoutFiresEvenIfInnerIgnoresContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := &dialtest.Dialer{Block: true, IgnoreCtx: true, Release: make(chan struct{})}
		start := time.Now()
		conn, err := dialx.NewTimeout(inner, 2*time.Second).DialContext(context.Background(), "tcp", "127.0.0.1:80")
		assert.Equal(t, 2*time.Second, time.Since(start), "returns exactly at the timeout")
		assert.Nil(t, conn)

		var netErr net.Error
		require.ErrorAs(t, err, &netErr)
		assert.True(t, netErr.Timeout())
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.EqualError(t, err, "dialx: timeout tcp 127.0.0.1:80: timed out after 2s")

		// The inner dial finishes later; its connection must not leak.
		close(inner.Release)
		synctest.Wait()
		require.Len(t, inner.Conns(), 1)
		assert.True(t, inner.Conns()[0].Closed(), "late connection closed")
	})
}

func TestTimeoutReturnsTheCallersContextErrorWhenItEndsFirst(t *testing.T) {
	t.Run("parent cancelled", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			inner := &dialtest.Dialer{Block: true, IgnoreCtx: true, Release: make(chan struct{})}
			time.AfterFunc(time.Second, cancel)
			_, err := dialx.NewTimeout(inner, time.Minute).DialContext(ctx, "tcp", "127.0.0.1:80")
			assert.ErrorIs(t, err, context.Canceled)
			assert.NotErrorIs(t, err, context.DeadlineExceeded)
			close(inner.Release)
			synctest.Wait()
			assert.True(t, inner.Conns()[0].Closed())
		})
	})
	t.Run("parent deadline earlier", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_, err := dialx.NewTimeout(&dialtest.Dialer{Block: true}, time.Minute).DialContext(ctx, "tcp", "127.0.0.1:80")
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			var netErr net.Error
			require.ErrorAs(t, err, &netErr)
			assert.True(t, netErr.Timeout())
		})
	})
	t.Run("parent already done", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		inner := &dialtest.Dialer{}
		_, err := dialx.NewTimeout(inner, time.Minute).DialContext(ctx, "tcp", "127.0.0.1:80")
		assert.ErrorIs(t, err, context.Canceled)
		assert.Zero(t, inner.Calls())
	})
}

func TestTimeoutPassesInnerResultsThrough(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	_, err := dialx.NewTimeout(dialx.DialerFunc(dialtest.Failing(refused)), time.Minute).
		DialContext(context.Background(), "tcp", "127.0.0.1:80")
	assert.Same(t, refused, err, "an inner error in time is returned unchanged")

	srv := dialtest.StartEcho(t)
	conn, err := dialx.NewTimeout(&net.Dialer{}, 5*time.Second).DialContext(context.Background(), "tcp", srv.Addr())
	require.NoError(t, err)
	echoByte(t, conn)
	conn.Close()
}

// An inner dialer that honours ctx ends with it; the result is a timeout
// either way.
func TestTimeoutFiresWhenTheInnerDialHonoursItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := &dialtest.Dialer{Block: true}
		start := time.Now()
		_, err := dialx.NewTimeout(inner, 250*time.Millisecond).DialContext(context.Background(), "tcp", "127.0.0.1:80")
		assert.Equal(t, 250*time.Millisecond, time.Since(start))
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

// A real socket's connect deadline, derived from the dial's ctx, can fire a
// moment before the ctx reports done, so the inner dial fails with
// os.ErrDeadlineExceeded while the Timeout has not yet seen its own deadline
// pass. The caller must still get the Timeout's error. Found by the fault
// matrix (internal/reliability) against a blackhole.
func TestTimeoutCountsAnInnerFailureAtTheDeadlineAsATimeout(t *testing.T) {
	socketDeadline := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		deadline, _ := ctx.Deadline()
		time.Sleep(time.Until(deadline)) // like the poller: not watching ctx
		return nil, &net.OpError{Op: "dial", Net: network, Err: os.ErrDeadlineExceeded}
	})
	tests := []struct {
		name    string
		parent  time.Duration // 0: no deadline on the caller's ctx
		wantErr error
	}{
		{name: "the Timeout's own deadline", wantErr: context.DeadlineExceeded},
		{name: "the caller's earlier deadline", parent: 50 * time.Millisecond, wantErr: context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				d := dialx.NewTimeout(socketDeadline, 100*time.Millisecond)
				for range 200 {
					ctx, cancel := context.Background(), context.CancelFunc(func() {})
					if tt.parent > 0 {
						ctx, cancel = context.WithTimeout(ctx, tt.parent)
					}
					c, err := d.DialContext(ctx, "tcp", "example.com:80")
					cancel()
					require.Nil(t, c)
					require.ErrorIs(t, err, tt.wantErr)
					var de *dialx.DialError
					require.True(t, errors.As(err, &de) && de.Op == "timeout", "got %v", err)
					var ne net.Error
					require.True(t, errors.As(err, &ne) && ne.Timeout())
				}
			})
		})
	}
}
