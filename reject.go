package dialx

import (
	"context"
	"errors"
	"net"
)

// Reject refuses every dial without touching the network, with a [*DialError]
// matching both [ErrRejected] and its reason, whose message it keeps. Use
// [NewReject] or [NewRejectFunc] to make one; the zero value is not usable.
// A Reject is safe for concurrent use by multiple goroutines.
type Reject struct {
	reason func(network, address string) error
}

// NewReject returns a Reject that fails every dial with reason, or with
// [ErrRejected] if reason is nil.
func NewReject(reason error) *Reject {
	return &Reject{reason: func(string, string) error { return reason }}
}

// NewRejectFunc returns a Reject that fails each dial with what reason
// returns for it, [ErrRejected] for nil. It panics if reason is nil.
func NewRejectFunc(reason func(network, address string) error) *Reject {
	if reason == nil {
		panic("dialx: NewRejectFunc: reason must not be nil, got nil")
	}
	return &Reject{reason: reason}
}

// Refusal returns the error DialContext fails with, which is never nil.
func (r *Reject) Refusal(ctx context.Context, network, address string) error {
	if err := ctx.Err(); err != nil {
		return &DialError{Op: "reject", Net: network, Addr: address, Err: err}
	}
	return &DialError{Op: "reject", Net: network, Addr: address, Err: rejection(r.reason(network, address))}
}

// DialContext fails with the Reject's reason.
func (r *Reject) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return nil, r.Refusal(ctx, network, address)
}

// Dial is DialContext with [context.Background].
func (r *Reject) Dial(network, address string) (net.Conn, error) {
	return r.DialContext(context.Background(), network, address)
}

// rejection makes reason match ErrRejected without changing its message.
func rejection(reason error) error {
	switch {
	case reason == nil:
		return ErrRejected
	case errors.Is(reason, ErrRejected):
		return reason
	default:
		return &rejectedError{reason: reason}
	}
}

type rejectedError struct {
	reason error
}

func (e *rejectedError) Error() string        { return e.reason.Error() }
func (e *rejectedError) Unwrap() error        { return e.reason }
func (e *rejectedError) Is(target error) bool { return target == ErrRejected }
