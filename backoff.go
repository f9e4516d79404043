package dialx

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Backoff is a schedule of waits: how long a [Repeat] waits before each
// retry, and how long a [Breaker]'s circuit stays open. Set it with
// [WithBackoff].
//
// Backoff returns the wait before retry number retry, counted from 1: for a
// Repeat, 1 is the wait between the first and the second try; for a
// Breaker, n is the cool-down after the circuit opened n times in a row.
// It is called from every goroutine that dials, so implementations must be
// safe for concurrent use.
type Backoff interface {
	Backoff(retry int) time.Duration
}

// ExponentialBackoff is a [Backoff] whose waits grow by a constant factor up
// to a cap, each spread at random around its value so that a fleet of
// clients that failed together does not retry together.
//
// The wait before retry r is min(Base × Multiplier^(r-1), Max), then
// multiplied by a random factor in [1-Jitter, 1+Jitter) drawn from
// math/rand/v2. Jitter is applied after the cap, so a wait may exceed Max by
// up to Jitter×Max.
//
// The zero value uses the connection backoff of gRPC: a base of 1 s, a
// multiplier of 1.6, jitter of ±20 % and a cap of 120 s. Each field left at
// zero takes its default on its own, so ExponentialBackoff{Base:
// 100 * time.Millisecond} keeps the other three. A negative Jitter means no
// jitter. [WithBackoff] panics if Base or Max is negative, Multiplier is
// neither 0 nor at least 1, Jitter is above 1 or NaN, or Max is below Base
// with both set.
//
// An ExponentialBackoff is safe for concurrent use by multiple goroutines.
type ExponentialBackoff struct {
	Base       time.Duration // the wait before the first retry
	Multiplier float64       // the factor between one wait and the next
	Jitter     float64       // the spread, as a fraction of the wait: 0.2 is ±20 %
	Max        time.Duration // the cap on a wait before jitter
}

// The defaults of ExponentialBackoff: gRPC's connection backoff.
const (
	defaultBackoffBase       = time.Second
	defaultBackoffMultiplier = 1.6
	defaultBackoffJitter     = 0.2
	defaultBackoffMax        = 120 * time.Second
)

// Backoff returns the wait before retry number retry (1 for the first
// retry; smaller values are taken as 1). It never panics, even on fields
// that WithBackoff refuses.
func (e ExponentialBackoff) Backoff(retry int) time.Duration {
	return e.wait(retry, rand.Float64)
}

// wait is Backoff with the jitter drawn from random, which returns numbers
// in [0, 1); tests pass a seeded source.
func (e ExponentialBackoff) wait(retry int, random func() float64) time.Duration {
	base, multiplier, jitter, maxWait := e.Base, e.Multiplier, e.Jitter, e.Max
	if base <= 0 {
		base = defaultBackoffBase
	}
	switch {
	case !(multiplier > 0): // NaN too, which would make every wait NaN
		multiplier = defaultBackoffMultiplier
	case multiplier < 1:
		multiplier = 1
	}
	switch {
	case jitter == 0 || math.IsNaN(jitter):
		jitter = defaultBackoffJitter
	case jitter < 0:
		jitter = 0
	case jitter > 1:
		jitter = 1
	}
	if maxWait <= 0 {
		maxWait = defaultBackoffMax
	}
	retry = max(retry, 1)

	// Pow overflows to +Inf for large retries, which the cap then absorbs.
	wait := min(float64(base)*math.Pow(multiplier, float64(retry-1)), float64(maxWait))
	if jitter > 0 {
		wait *= 1 + jitter*(2*random()-1)
	}
	if wait >= math.MaxInt64 { // float64(math.MaxInt64) is 2⁶³, out of range
		return math.MaxInt64
	}
	return time.Duration(wait)
}

// check panics, for WithBackoff, if a field is out of range.
func (e ExponentialBackoff) check() {
	bad := func(field string, rule string, value any) {
		panic(fmt.Sprintf("dialx: WithBackoff: ExponentialBackoff.%s must be %s, got %v", field, rule, value))
	}
	switch {
	case e.Base < 0:
		bad("Base", ">= 0", e.Base)
	case e.Max < 0:
		bad("Max", ">= 0", e.Max)
	case !(e.Multiplier == 0 || e.Multiplier >= 1):
		bad("Multiplier", "0 or >= 1", e.Multiplier)
	case !(e.Jitter <= 1):
		bad("Jitter", "<= 1", e.Jitter)
	case e.Base > 0 && e.Max > 0 && e.Max < e.Base:
		bad("Max", ">= Base ("+e.Base.String()+")", e.Max)
	}
}

// ConstantBackoff is a [Backoff] that waits the same duration before every
// retry. [WithBackoff] panics if it is negative.
//
// A ConstantBackoff is safe for concurrent use by multiple goroutines.
type ConstantBackoff time.Duration

// Backoff returns c, whatever the retry; a negative c is taken as zero.
func (c ConstantBackoff) Backoff(retry int) time.Duration {
	return max(time.Duration(c), 0)
}

// WithBackoff sets the schedule of waits of a [Repeat] or a [Breaker].
//
// A Repeat waits for backoff.Backoff(n) before its n-th retry; by default
// it does not wait. The wait ends early, and the dial fails with an error
// matching ctx.Err(), if ctx is done first.
//
// A Breaker keeps a circuit open for backoff.Backoff(n) after it opened n
// times in a row (the first trip, then each failed probe); by default for
// ExponentialBackoff{Base: 5 * time.Second, Multiplier: 2, Jitter: 0.2,
// Max: 2 * time.Minute}. A successful probe starts the count again.
//
// It panics if backoff is nil, or an [ExponentialBackoff] or
// [ConstantBackoff] out of range.
func WithBackoff(backoff Backoff) Option {
	switch b := backoff.(type) {
	case nil:
		panic("dialx: WithBackoff: backoff must not be nil, got nil")
	case ExponentialBackoff:
		b.check()
	case *ExponentialBackoff:
		if b == nil {
			panic("dialx: WithBackoff: backoff must not be nil, got (*ExponentialBackoff)(nil)")
		}
		b.check()
	case ConstantBackoff:
		if b < 0 {
			panic(fmt.Sprintf("dialx: WithBackoff: ConstantBackoff must be >= 0, got %v", time.Duration(b)))
		}
	}
	return &option{name: "WithBackoff", to: takenByRepeat | takenByBreaker,
		set: func(s *settings) { s.backoff = backoff }}
}
