package dialx_test

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
)

func TestDialErrorMessage(t *testing.T) {
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

func TestDialErrorTimeoutDelegates(t *testing.T) {
	var netErr net.Error = &dialx.DialError{Op: "timeout", Err: context.DeadlineExceeded}
	assert.True(t, netErr.Timeout())
	assert.False(t, (&dialx.DialError{Op: "reject", Err: dialx.ErrRejected}).Timeout())

	inner := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	err := error(&dialx.DialError{Op: "repeat", Err: inner})
	var op *net.OpError
	require.ErrorAs(t, err, &op)
	assert.Same(t, inner, op)
}
