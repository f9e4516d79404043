package dialx

import (
	"errors"
	"strings"
)

// ErrRejected is matched, under [errors.Is], by every error a [Reject] returns.
var ErrRejected = errors.New("dialx: connection rejected")

// ErrNoMatch is matched, under [errors.Is], by the error of a [Selective] for
// an address that no rule matches.
var ErrNoMatch = errors.New("dialx: no rule matches the address")

// ErrOpen is matched, under [errors.Is], by the error a [Breaker] returns
// when it refuses a dial because the destination's circuit is open (or
// half-open with its one probe already in flight).
var ErrOpen = errors.New("dialx: circuit open")

// ErrBudgetExhausted is matched, under [errors.Is], by the error of a
// [Repeat] that stopped retrying because its [Budget] had no retry left.
// The errors of the tries it made stay reachable too.
var ErrBudgetExhausted = errors.New("dialx: retry budget exhausted")

// DialError is the error type of every failure this package makes itself. It
// names the decorator that failed, the network and address of the dial and
// the cause, in the manner of [net.OpError]. Errors returned by inner dialers
// are kept in Err unchanged, so [errors.Is] and [errors.As] still reach them
// (a *net.OpError from the innermost dial is found through any stack).
// A DialError is never modified after it is returned, so it may be read
// from any number of goroutines.
type DialError struct {
	// Op names the decorator that failed: "repeat", "timeout", "delay",
	// "reject", "swappable", "consecutive", "random", "concurrent",
	// "selective", "resolve", "guard", "breaker", "limit", or "proxy" (from the
	// Dialer that FromProxy makes).
	Op string
	// Net and Addr are the arguments of the failed DialContext call.
	Net  string
	Addr string
	// Err is the cause. For decorators that make several attempts it
	// unwraps to the attempts' errors: every one of them, or, past eight,
	// the first four and the last four, the message counting the others,
	// so that a dial of a million tries still has an error of a few
	// hundred bytes.
	Err error
}

// Error reads like "dialx: repeat tcp 127.0.0.1:80: all 3 tries failed: ...".
func (e *DialError) Error() string {
	var b strings.Builder
	b.WriteString("dialx: ")
	b.WriteString(e.Op)
	if e.Net != "" {
		b.WriteByte(' ')
		b.WriteString(e.Net)
	}
	b.WriteByte(' ')
	b.WriteString(e.Addr)
	if e.Err != nil {
		b.WriteString(": ")
		// The package's own sentinels carry the "dialx: " prefix for when
		// they stand alone; inside a DialError it would only repeat.
		b.WriteString(strings.TrimPrefix(e.Err.Error(), "dialx: "))
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *DialError) Unwrap() error { return e.Err }

// Timeout reports whether the dial failed because a deadline passed, so a
// DialError satisfies [net.Error] the way [net.OpError] does. It delegates to
// the first error in the chain that has a Timeout method.
func (e *DialError) Timeout() bool {
	var t interface{ Timeout() bool }
	return errors.As(e.Err, &t) && t.Timeout()
}

// Temporary is there to satisfy [net.Error]; like net's own errors it
// reports only timeouts as temporary.
//
// Deprecated: as for [net.Error], Temporary is not well defined; use
// Timeout or errors.Is.
func (e *DialError) Temporary() bool { return e.Timeout() }

// bare is one of the package's sentinels without its "dialx: " prefix, for
// use inside a longer message; errors.Is still finds the sentinel.
type bare struct{ sentinel error }

func (b bare) Error() string { return strings.TrimPrefix(b.sentinel.Error(), "dialx: ") }
func (b bare) Unwrap() error { return b.sentinel }
