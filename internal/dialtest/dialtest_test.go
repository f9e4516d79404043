package dialtest_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx/internal/dialtest"
)

func TestDialerFollowsItsScript(t *testing.T) {
	down := errors.New("down")
	tests := []struct {
		name    string
		dialer  *dialtest.Dialer
		cancel  time.Duration // cancel the dial's ctx after this long; 0: never
		wantErr error
		took    time.Duration
	}{
		{name: "succeeds at once", dialer: &dialtest.Dialer{Label: "a"}},
		{name: "fails at once", dialer: &dialtest.Dialer{Err: down}, wantErr: down},
		{name: "succeeds after wait", dialer: &dialtest.Dialer{Wait: time.Second}, took: time.Second},
		{name: "wait cut by ctx", dialer: &dialtest.Dialer{Wait: time.Hour}, cancel: time.Second, wantErr: context.Canceled, took: time.Second},
		{name: "blocks until ctx", dialer: &dialtest.Dialer{Block: true}, cancel: 2 * time.Second, wantErr: context.Canceled, took: 2 * time.Second},
		{name: "ignores ctx while waiting", dialer: &dialtest.Dialer{Wait: 3 * time.Second, IgnoreCtx: true}, cancel: time.Second, took: 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				if tt.cancel > 0 {
					time.AfterFunc(tt.cancel, cancel)
				}
				start := time.Now()
				conn, err := tt.dialer.DialContext(ctx, "tcp", "127.0.0.1:80")
				assert.Equal(t, tt.took, time.Since(start))
				assert.Equal(t, 1, tt.dialer.Calls())
				if tt.wantErr != nil {
					assert.ErrorIs(t, err, tt.wantErr)
					assert.Nil(t, conn)
					return
				}
				require.NoError(t, err)
				c := conn.(*dialtest.Conn)
				assert.Equal(t, tt.dialer.Label, c.Label)
				assert.False(t, c.Closed())
				require.NoError(t, conn.Close())
				assert.True(t, c.Closed())
				assert.Equal(t, []*dialtest.Conn{c}, tt.dialer.Conns())
			})
		})
	}
}
