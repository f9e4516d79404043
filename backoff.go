package dialx

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Backoff is a schedule of waits ([WithBackoff]): Backoff(n) is the wait
// before a [Repeat]'s n-th retry, or a [Breaker]'s cool-down after its n-th
// opening in a row. A Backoff must be safe for concurrent use by multiple
// goroutines.
type Backoff interface {
	Backoff(retry int) time.Duration
}

// ExponentialBackoff is a [Backoff] whose waits grow exponentially up to a
// cap, with random jitter so that clients that failed together do not retry
// together: retry r waits min(Base×Multiplier^(r-1), Max)×(1±Jitter).
//
// The zero value is gRPC's backoff: Base 1 s, Multiplier 1.6, Jitter 0.2 and
// Max 120 s, each field left at zero taking its default; a negative Jitter
// means none. [WithBackoff] panics on a negative Base or Max, a Multiplier
// neither 0 nor >= 1, a Jitter above 1 or NaN, or Max < Base with both set.
// An ExponentialBackoff is safe for concurrent use by multiple goroutines.
type ExponentialBackoff struct {
	Base       time.Duration // the wait before the first retry
	Multiplier float64       // the factor between one wait and the next
	Jitter     float64       // the spread as a fraction of the wait: 0.2 is ±20 %
	Max        time.Duration // the cap on a wait, before jitter
}

// The defaults of ExponentialBackoff: gRPC's connection backoff.
const (
	defaultBackoffBase       = time.Second
	defaultBackoffMultiplier = 1.6
	defaultBackoffJitter     = 0.2
	defaultBackoffMax        = 120 * time.Second
)

// Backoff returns the wait before retry (1 if less); it never panics.
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

// ConstantBackoff is a [Backoff] that always waits c, which must be >= 0.
// A ConstantBackoff is safe for concurrent use by multiple goroutines.
type ConstantBackoff time.Duration

// Backoff returns c, or 0 if c is negative.
func (c ConstantBackoff) Backoff(retry int) time.Duration {
	return max(time.Duration(c), 0)
}

// WithBackoff sets the waits of a [Repeat] or a [Breaker]. A Repeat waits
// backoff.Backoff(n) before its n-th retry (default: none). A Breaker keeps a
// circuit open for backoff.Backoff(n) after it opened n times in a row
// (default: ExponentialBackoff{Base: 5 * time.Second, Multiplier: 2, Jitter:
// 0.2, Max: 2 * time.Minute}). It panics if backoff is nil or an
// [ExponentialBackoff] or [ConstantBackoff] out of range.
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
