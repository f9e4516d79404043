package dialx_test

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// scripted fails the first len(errs) calls with errs in order, then succeeds.
func scripted(errs ...error) (dialx.Dialer, *atomic.Int64) {
	var calls atomic.Int64
	return dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		n := int(calls.Add(1)) - 1
		if n < len(errs) {
			return nil, errs[n]
		}
		return dialtest.NewConn("ok"), nil
	}), &calls
}

func TestRepeat(t *testing.T) {
	errA, errB, errC := errors.New("a"), errors.New("b"), errors.New("c")
	tests := []struct {
		name      string
		tries     int
		failures  []error
		wantCalls int64
		wantErr   string
	}{
		{name: "first try succeeds", tries: 3, wantCalls: 1},
		{name: "succeeds on the last try", tries: 3, failures: []error{errA, errB}, wantCalls: 3},
		{name: "all tries fail", tries: 3, failures: []error{errA, errB, errC}, wantCalls: 3,
			wantErr: "dialx: repeat tcp 127.0.0.1:80: all 3 tries failed: a; b; c"},
		{name: "one try only", tries: 1, failures: []error{errA}, wantCalls: 1,
			wantErr: "dialx: repeat tcp 127.0.0.1:80: all 1 tries failed: a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inner, calls := scripted(tt.failures...)
			conn, err := dialx.NewRepeat(inner, tt.tries).DialContext(context.Background(), "tcp", "127.0.0.1:80")
			assert.Equal(t, tt.wantCalls, calls.Load())
			if tt.wantErr == "" {
				require.NoError(t, err)
				require.NoError(t, conn.Close())
				return
			}
			assert.Nil(t, conn)
			assert.EqualError(t, err, tt.wantErr)
			for _, want := range tt.failures[:tt.wantCalls] {
				assert.ErrorIs(t, err, want)
			}
		})
	}
}

func TestRepeatStopsOnceContextIsDone(t *testing.T) {
	refused := errors.New("refused")
	t.Run("cancelled before the first try", func(t *testing.T) {
		inner, calls := scripted()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := dialx.NewRepeat(inner, 3).DialContext(ctx, "tcp", "127.0.0.1:80")
		assert.ErrorIs(t, err, context.Canceled)
		assert.Zero(t, calls.Load(), "no try may start once ctx is done")
		assert.EqualError(t, err, "dialx: repeat tcp 127.0.0.1:80: stopped after 0 of 3 tries: context canceled")
	})
	t.Run("cancelled during the second try", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		var calls atomic.Int64
		inner := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
			if calls.Add(1) == 2 {
				cancel()
			}
			return nil, refused
		})
		_, err := dialx.NewRepeat(inner, 5).DialContext(ctx, "tcp", "127.0.0.1:80")
		assert.Equal(t, int64(2), calls.Load())
		assert.ErrorIs(t, err, context.Canceled)
		assert.ErrorIs(t, err, refused)
		assert.Contains(t, err.Error(), "stopped after 2 of 5 tries")
	})
	t.Run("last try ends with the deadline", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		inner := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
			cancel()
			return nil, refused // an inner error that does not itself match ctx.Err()
		})
		_, err := dialx.NewRepeat(inner, 1).DialContext(ctx, "tcp", "127.0.0.1:80")
		assert.ErrorIs(t, err, context.Canceled)
		assert.ErrorIs(t, err, refused)
	})
}

// A connection returned together with an error breaks the Dialer contract;
// it must be closed, not dropped.
func TestRepeatClosesStrayConnections(t *testing.T) {
	stray := dialtest.NewConn("stray")
	inner := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		return stray, errors.New("half failed")
	})
	conn, err := dialx.NewRepeat(inner, 1).DialContext(context.Background(), "tcp", "127.0.0.1:80")
	assert.Nil(t, conn)
	assert.Error(t, err)
	assert.True(t, stray.Closed())
}
