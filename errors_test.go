package dialx_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

func TestDialErrorReadsOpNetworkAddressAndCause(t *testing.T) {
	tests := []struct {
		name string
		err  *dialx.DialError
		want string
	}{
		{
			name: "sentinel prefix is not repeated",
			err:  &dialx.DialError{Op: "reject", Net: "tcp", Addr: "example.com:80", Err: dialx.ErrRejected},
			want: "dialx: reject tcp example.com:80: connection rejected",
		},
		{
			name: "foreign cause kept verbatim",
			err:  &dialx.DialError{Op: "timeout", Net: "tcp", Addr: "[::1]:80", Err: errors.New("Blocked")},
			want: "dialx: timeout tcp [::1]:80: Blocked",
		},
		{
			name: "no cause",
			err:  &dialx.DialError{Op: "delay", Net: "udp", Addr: "127.0.0.1:53"},
			want: "dialx: delay udp 127.0.0.1:53",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
		})
	}
}

func TestDialErrorDelegatesTimeoutAndUnwrapsToTheCause(t *testing.T) {
	var netErr net.Error = &dialx.DialError{Op: "timeout", Err: context.DeadlineExceeded}
	assert.True(t, netErr.Timeout())
	assert.False(t, (&dialx.DialError{Op: "reject", Err: dialx.ErrRejected}).Timeout())

	inner := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	err := error(&dialx.DialError{Op: "repeat", Err: inner})
	var op *net.OpError
	require.ErrorAs(t, err, &op)
	assert.Same(t, inner, op)
}

// A *net.OpError from the innermost dial is still found through a stack of
// five decorators.
func TestInnermostOpErrorIsReachableThroughAStack(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	inner := dialx.DialerFunc(dialtest.Failing(refused))
	stack := dialx.NewTimeout(
		dialx.NewRepeat(
			dialx.NewConsecutive(
				dialx.NewConcurrent(
					dialx.NewRandom(inner))), 2), time.Minute)

	_, err := stack.DialContext(context.Background(), "tcp", "127.0.0.1:1")
	var opErr *net.OpError
	require.ErrorAs(t, err, &opErr)
	assert.Same(t, refused, opErr)
	var dialErr *dialx.DialError
	require.ErrorAs(t, err, &dialErr)
	assert.Equal(t, "repeat", dialErr.Op, "the outermost decorator that made an error names itself")
	assert.Equal(t, "tcp", dialErr.Net)
	assert.Equal(t, "127.0.0.1:1", dialErr.Addr)
}
