package dialx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// Repeat retries a Dialer: it makes up to a fixed number of tries and returns
// the first connection.
//
// By default tries follow each other at once and every failure is retried.
// Options change that: [WithBackoff] waits between tries, [WithRetryIf]
// decides which failures are worth another try, and [WithBudget] shares a
// [Budget] that caps retries across Repeats.
//
// Once the dial's ctx is done, Repeat cuts short any wait, starts no further
// try and returns a [*DialError] that matches ctx.Err(). When every try
// fails, the error says how many were made and unwraps to each try's error,
// so [errors.Is] and [errors.As] find any of them. When Repeat stops early
// because a failure is not to be retried, or because the budget is empty
// (the error then matches [ErrBudgetExhausted]), the error says how many of
// the tries were made and unwraps to their errors too.
//
// Use [NewRepeat] to make one; the zero value is not usable.
// A Repeat is safe for concurrent use by multiple goroutines.
type Repeat struct {
	dialer    Dialer
	tries     int
	backoff   Backoff          // nil: no wait
	retryable func(error) bool // nil: every failure
	budget    *Budget          // nil: no cap
}

// RepeatOption configures a [Repeat] made by [NewRepeat]. Options are
// immutable values, safe to share between goroutines and constructors.
type RepeatOption interface {
	applyRepeat(*Repeat)
}

// NewRepeat returns a Repeat that dials through d up to tries times,
// configured by opts. It panics if d is nil or tries is less than 1.
func NewRepeat(d Dialer, tries int, opts ...RepeatOption) *Repeat {
	mustDialer("NewRepeat", d)
	if tries < 1 {
		panic(fmt.Sprintf("dialx: NewRepeat: tries must be >= 1, got %d", tries))
	}
	r := &Repeat{dialer: d, tries: tries}
	for _, opt := range opts {
		opt.applyRepeat(r)
	}
	return r
}

// The reasons a Repeat stops early, which head the errors of its tries.
var (
	errNotRetryable = errors.New("not retryable") // WithRetryIf said no
	errNoBudget     = error(bare{ErrBudgetExhausted})
)

// DialContext dials address on network through the inner Dialer, trying
// again after each failure until a try succeeds, the tries are used up, or
// an option stops it.
func (r *Repeat) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	var errs []error // made at the first failure: nothing allocated on success
	t := traceFrom(ctx)
	for try := 1; ; try++ {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, r.fail(network, address, stopped(ctxErr, try-1, r.tries, "tries", errs))
		}
		var wait time.Duration // before this try
		if try == 1 {
			if r.budget != nil {
				r.budget.deposit()
			}
		} else {
			var stop error
			if wait, stop = r.beforeRetry(ctx, try-1, errs[len(errs)-1]); stop != nil {
				return nil, r.fail(network, address, stopped(stop, try-1, r.tries, "tries", errs))
			}
		}

		// Every try starts here, wait after the previous one failed.
		var conn net.Conn
		var err error
		if t != nil {
			if t.Attempt != nil {
				t.Attempt(AttemptInfo{Op: "repeat", Network: network, Address: address, Attempt: try, Of: r.tries, Wait: wait})
			}
			conn, err = dialTraced(ctx, t, r.dialer, network, address)
		} else {
			conn, err = r.dialer.DialContext(ctx, network, address)
		}
		if err == nil {
			return conn, nil
		}
		closeStray(conn)
		if errs == nil {
			// tries may be huge (math.MaxInt: until ctx ends), so do
			// not size the slice by it.
			errs = make([]error, 0, min(r.tries, 8))
		}
		errs = append(errs, err)
		if try == r.tries {
			break
		}
	}
	cause := allFailed("tries", errs)
	if ctxErr := ctx.Err(); ctxErr != nil {
		// The last try failed because ctx ended: say so, so that
		// errors.Is(err, ctx.Err()) holds whatever the inner error was.
		cause = stopped(ctxErr, r.tries, r.tries, "tries", errs)
	}
	return nil, r.fail(network, address, cause)
}

// beforeRetry decides whether retry number retry may go ahead after the
// failure last, and waits for the backoff if so. It returns the wait, and
// the reason to stop if it must.
func (r *Repeat) beforeRetry(ctx context.Context, retry int, last error) (time.Duration, error) {
	if r.retryable != nil && !r.retryable(last) {
		return 0, errNotRetryable
	}
	if r.budget != nil && !r.budget.withdraw() {
		return 0, errNoBudget
	}
	if r.backoff == nil {
		return 0, nil
	}
	wait := r.backoff.Backoff(retry)
	return wait, sleep(ctx, wait)
}

func (r *Repeat) fail(network, address string, cause error) error {
	return &DialError{Op: "repeat", Net: network, Addr: address, Err: cause}
}

// Dial is DialContext with [context.Background].
func (r *Repeat) Dial(network, address string) (net.Conn, error) {
	return r.DialContext(context.Background(), network, address)
}

// WithBackoff makes a [Repeat] wait before each retry for as long as b says.
// The wait ends early, and the dial fails with an error matching ctx.Err(),
// if ctx is done first. It panics if b is nil.
func WithBackoff(b Backoff) RepeatOption {
	if b == nil {
		panic("dialx: WithBackoff: nil Backoff")
	}
	return backoffOption{b}
}

type backoffOption struct{ backoff Backoff }

func (o backoffOption) applyRepeat(r *Repeat) { r.backoff = o.backoff }

// WithRetryIf makes a [Repeat] retry only the failures for which retryable
// returns true; on the first failure it returns false for, Repeat stops and
// returns the errors so far. Without it every failure is retried. Either way
// Repeat stops once the caller's ctx is done, without asking retryable.
// retryable is called from every goroutine that dials, so it must be safe
// for concurrent use. It panics if retryable is nil.
func WithRetryIf(retryable func(error) bool) RepeatOption {
	if retryable == nil {
		panic("dialx: WithRetryIf: nil func")
	}
	return retryIfOption(retryable)
}

type retryIfOption func(error) bool

func (o retryIfOption) applyRepeat(r *Repeat) { r.retryable = o }

// WithBudget makes a [Repeat] draw its retries from b, which any number of
// Repeats may share: each first try deposits into b, each retry withdraws,
// and when b is empty Repeat stops with an error matching
// [ErrBudgetExhausted]. It panics if b is nil.
func WithBudget(b *Budget) RepeatOption {
	if b == nil {
		panic("dialx: WithBudget: nil Budget")
	}
	return budgetOption{b}
}

type budgetOption struct{ budget *Budget }

func (o budgetOption) applyRepeat(r *Repeat) { r.budget = o.budget }
