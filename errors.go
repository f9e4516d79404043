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

// ErrOpen is matched by the error of a [Breaker] that refused a dial
// because the destination's circuit is open.
var ErrOpen = errors.New("dialx: circuit open")

// ErrBudgetExhausted is matched by the error of a [Repeat] that stopped
// because its [Budget] had no retry left.
var ErrBudgetExhausted = errors.New("dialx: retry budget exhausted")

// DialError is the error of every failure this package makes itself. As a
// [net.OpError] does, it names the decorator, the dial's network and address,
// and the cause. Errors of inner Dialers are kept unchanged in Err, so
// [errors.Is] and [errors.As] reach them through any stack. A DialError is not
// modified once returned, so any number of goroutines may read it.
type DialError struct {
	Op   string // the decorator's type in lower case ("repeat"), or "proxy" (FromProxy)
	Net  string // the network of the failed dial
	Addr string // the address of the failed dial
	// Err is the cause. The errors of several attempts unwrap from it: all
	// of them, or past eight the first and last four, the rest counted.
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

// Timeout reports whether a deadline passed, as the first error in the chain
// with a Timeout method says, so that a DialError is a [net.Error].
func (e *DialError) Timeout() bool {
	var t interface{ Timeout() bool }
	return errors.As(e.Err, &t) && t.Timeout()
}

// Temporary reports e.Timeout(), for [net.Error].
//
// Deprecated: Temporary is not well defined; use Timeout or [errors.Is].
func (e *DialError) Temporary() bool { return e.Timeout() }

// bare is one of the package's sentinels without its "dialx: " prefix, for
// use inside a longer message; errors.Is still finds the sentinel.
type bare struct{ sentinel error }

func (b bare) Error() string { return strings.TrimPrefix(b.sentinel.Error(), "dialx: ") }
func (b bare) Unwrap() error { return b.sentinel }
