package dialx_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dialx/dialx"
)

func TestRejectFailsWithItsReasonAndErrRejected(t *testing.T) {
	blocked := errors.New("Blocked")
	tests := []struct {
		name     string
		reject   *dialx.Reject
		wantIs   []error
		wantText string
	}{
		{
			name:     "nil reason",
			reject:   dialx.NewReject(nil),
			wantIs:   []error{dialx.ErrRejected},
			wantText: "dialx: reject tcp example.com:80: connection rejected",
		},
		{
			name:     "custom reason keeps its words",
			reject:   dialx.NewReject(blocked),
			wantIs:   []error{dialx.ErrRejected, blocked},
			wantText: "dialx: reject tcp example.com:80: Blocked",
		},
		{
			name:     "reason that already matches ErrRejected",
			reject:   dialx.NewReject(fmt.Errorf("policy: %w", dialx.ErrRejected)),
			wantIs:   []error{dialx.ErrRejected},
			wantText: "dialx: reject tcp example.com:80: policy: dialx: connection rejected",
		},
		{
			name: "func sees network and address",
			reject: dialx.NewRejectFunc(func(network, address string) error {
				return fmt.Errorf("%s to %s is not allowed: %w", network, address, fs.ErrPermission)
			}),
			wantIs:   []error{dialx.ErrRejected, fs.ErrPermission},
			wantText: "dialx: reject tcp example.com:80: tcp to example.com:80 is not allowed: permission denied",
		},
		{
			name:     "func returning nil",
			reject:   dialx.NewRejectFunc(func(string, string) error { return nil }),
			wantIs:   []error{dialx.ErrRejected},
			wantText: "dialx: reject tcp example.com:80: connection rejected",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := tt.reject.DialContext(context.Background(), "tcp", "example.com:80")
			assert.Nil(t, conn)
			for _, want := range tt.wantIs {
				assert.ErrorIs(t, err, want)
			}
			assert.EqualError(t, err, tt.wantText)
		})
	}
}

// Once ctx is done, a Reject fails with ctx's error, as the Dialer contract
// asks, and does not call its reason func.
func TestRejectFailsWithCtxErrWithoutAskingForAReason(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	reject := dialx.NewRejectFunc(func(string, string) error { called = true; return nil })
	conn, err := reject.DialContext(ctx, "tcp", "example.com:80")
	assert.Nil(t, conn)
	assert.ErrorIs(t, err, context.Canceled)
	assert.EqualError(t, err, "dialx: reject tcp example.com:80: context canceled")
	assert.False(t, called)
}
