package dialx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// Repeat retries a Dialer: it makes up to a fixed number of tries and returns
// the first connection, retrying every failure at once unless [WithBackoff],
// [WithRetryIf] or [WithBudget] say otherwise. When it gives up, its error
// says how many tries were made and unwraps to their errors (of more than
// eight, the first and last four), so [errors.Is] and [errors.As] find them.
//
// Use [NewRepeat] to make one; the zero value is not usable.
// A Repeat is safe for concurrent use by multiple goroutines.
type Repeat struct {
	dialer Dialer
	tries  int
	retryPolicy
}

// retryPolicy is what the options of a Repeat set: whether and when a
// failed try is followed by another.
type retryPolicy struct {
	backoff   Backoff          // nil: no wait
	retryable func(error) bool // nil: every failure
	budget    *Budget          // nil: no cap
}

// NewRepeat returns a Repeat that dials through d up to tries times. It
// panics if d is nil or tries is less than 1.
func NewRepeat(d Dialer, tries int, opts ...Option) *Repeat {
	mustDialer("NewRepeat", d)
	if tries < 1 {
		panic(fmt.Sprintf("dialx: NewRepeat: tries must be >= 1, got %d", tries))
	}
	var s settings
	s.apply("NewRepeat", takenByRepeat, opts)
	return &Repeat{dialer: d, tries: tries,
		retryPolicy: retryPolicy{backoff: s.backoff, retryable: s.retryable, budget: s.budget}}
}

// The reasons a Repeat stops early, which head the errors of its tries.
var (
	errNotRetryable = errors.New("not retryable") // WithRetryIf said no
	errNoBudget     = error(bare{ErrBudgetExhausted})
)

// DialContext dials through the inner Dialer, trying again after failures.
func (r *Repeat) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return dialInTurn(ctx, "repeat", "tries", network, address, r.tries,
		r.dialer, nil, &r.retryPolicy)
}

// first counts a first try against the budget.
func (p *retryPolicy) first() {
	if p.budget != nil {
		p.budget.deposit()
	}
}

// beforeRetry decides whether retry number retry may go ahead after the
// failure last, and waits for the backoff if so. It returns the wait, and
// the reason to stop if it must.
func (p *retryPolicy) beforeRetry(ctx context.Context, retry int, last error) (time.Duration, error) {
	if p.retryable != nil && !p.retryable(last) {
		return 0, errNotRetryable
	}
	if p.budget != nil && !p.budget.withdraw() {
		return 0, errNoBudget
	}
	if p.backoff == nil {
		return 0, nil
	}
	wait := p.backoff.Backoff(retry)
	return wait, sleep(ctx, wait)
}

// Dial is DialContext with [context.Background].
func (r *Repeat) Dial(network, address string) (net.Conn, error) {
	return r.DialContext(context.Background(), network, address)
}

// WithRetryIf makes a [Repeat] retry only the failures for which retryable
// returns true (default: all); it is not asked once ctx is done, and must be
// safe for concurrent use. It panics if retryable is nil.
func WithRetryIf(retryable func(error) bool) Option {
	if retryable == nil {
		panic("dialx: WithRetryIf: retryable must not be nil, got nil")
	}
	return &option{name: "WithRetryIf", to: takenByRepeat,
		set: func(s *settings) { s.retryable = retryable }}
}
