package dialx_test

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
)

// TestTimeoutErrorAtTheDeadline: a real socket's connect deadline, derived
// from the dial's ctx, can fire a moment before the ctx reports done, so the
// inner dial fails with os.ErrDeadlineExceeded while the Timeout has not yet
// seen its own deadline pass. The caller must still get the Timeout's error.
// Found by the fault matrix (internal/reliability) against a blackhole.
func TestTimeoutErrorAtTheDeadline(t *testing.T) {
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
