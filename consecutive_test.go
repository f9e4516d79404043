package dialx_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

func TestConsecutiveTriesEachInOrderUntilOneConnects(t *testing.T) {
	errA, errB := errors.New("a down"), errors.New("b down")
	tests := []struct {
		name      string
		dialers   []*dialtest.Dialer
		wantLabel string
		wantCalls []int
		wantErrs  []error
	}{
		{
			name:      "first succeeds, rest untouched",
			dialers:   []*dialtest.Dialer{{Label: "a"}, {Label: "b"}},
			wantLabel: "a",
			wantCalls: []int{1, 0},
		},
		{
			name:      "fails over in order",
			dialers:   []*dialtest.Dialer{{Err: errA}, {Err: errB}, {Label: "c"}},
			wantLabel: "c",
			wantCalls: []int{1, 1, 1},
		},
		{
			name:      "all fail",
			dialers:   []*dialtest.Dialer{{Err: errA}, {Err: errB}},
			wantCalls: []int{1, 1},
			wantErrs:  []error{errA, errB},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := make([]dialx.Dialer, len(tt.dialers))
			for i, d := range tt.dialers {
				ds[i] = d
			}
			conn, err := dialx.NewConsecutive(ds...).DialContext(context.Background(), "tcp", "example.com:80")
			for i, d := range tt.dialers {
				assert.Equal(t, tt.wantCalls[i], d.Calls(), "calls of dialer %d", i)
			}
			if tt.wantErrs != nil {
				assert.Nil(t, conn)
				for _, want := range tt.wantErrs {
					assert.ErrorIs(t, err, want)
				}
				assert.EqualError(t, err, "dialx: consecutive tcp example.com:80: all 2 dialers failed: a down; b down")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantLabel, conn.(*dialtest.Conn).Label)
			conn.Close()
		})
	}
}

func TestConsecutiveStartsNothingOnceContextIsDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	first := &dialtest.Dialer{Block: true, Started: make(chan string, 1)}
	second := &dialtest.Dialer{Label: "never"}
	done := make(chan error, 1)
	go func() {
		_, err := dialx.NewConsecutive(first, second).DialContext(ctx, "tcp", "example.com:80")
		done <- err
	}()
	<-first.Started
	cancel()
	err := <-done
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, second.Calls())
	assert.Contains(t, err.Error(), "stopped after 1 of 2 dialers")
}
