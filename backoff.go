package dialx

import (
	"math"
	"math/rand/v2"
	"time"
)

// Backoff decides how long a [Repeat] waits before each retry. Set it with
// [WithBackoff].
//
// Backoff returns the wait before retry number retry, counted from 1: 1 is
// the wait between the first and the second try, 2 the wait before the
// third, and so on. It is called from every goroutine that dials through the
// Repeat, so implementations must be safe for concurrent use.
type Backoff interface {
	Backoff(retry int) time.Duration
}

// ExponentialBackoff is a [Backoff] whose waits grow by a constant factor up
// to a cap, each spread at random around its value so that a fleet of
// clients that failed together does not retry together.
//
// The wait before retry r is min(Base × Multiplier^(r-1), Max), then
// multiplied by a random factor in [1-Jitter, 1+Jitter). Jitter is applied
// after the cap, so a wait may exceed Max by up to Jitter×Max.
//
// The zero value uses the connection backoff of gRPC: a base of 1 s, a
// multiplier of 1.6, jitter of ±20 % and a cap of 120 s. Each field left at
// zero takes its default on its own, so ExponentialBackoff{Base:
// 100 * time.Millisecond} keeps the other three.
//
// An ExponentialBackoff is safe for concurrent use by multiple goroutines if
// its Rand is.
type ExponentialBackoff struct {
	// Base is the wait before the first retry. Zero or less means 1 s.
	Base time.Duration
	// Multiplier is the factor between one wait and the next. Zero or less
	// (or NaN) means 1.6; a value between 0 and 1 is taken as 1 (constant waits).
	Multiplier float64
	// Jitter is the half-width of the random spread, as a fraction of the
	// wait: 0.2 means ±20 %. Zero (or NaN) means 0.2; a negative value
	// means no jitter; values above 1 are taken as 1.
	Jitter float64
	// Max caps the wait before jitter. Zero or less means 120 s.
	Max time.Duration
	// Rand returns pseudo-random numbers in [0, 1) for the jitter. Nil means
	// [rand.Float64] of math/rand/v2. Since Rand is called from every
	// goroutine that dials, it must be safe for concurrent use; set it to a
	// seeded source to make the waits reproducible.
	Rand func() float64
}

// The defaults of ExponentialBackoff: gRPC's connection backoff.
const (
	defaultBackoffBase       = time.Second
	defaultBackoffMultiplier = 1.6
	defaultBackoffJitter     = 0.2
	defaultBackoffMax        = 120 * time.Second
)

// Backoff returns the wait before retry number retry (1 for the first
// retry; smaller values are taken as 1).
func (e ExponentialBackoff) Backoff(retry int) time.Duration {
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
		random := rand.Float64
		if e.Rand != nil {
			random = e.Rand
		}
		wait *= 1 + jitter*(2*random()-1)
	}
	if wait >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(wait)
}

// ConstantBackoff is a [Backoff] that waits the same duration before every
// retry. A negative duration is taken as zero.
//
// A ConstantBackoff is safe for concurrent use by multiple goroutines.
type ConstantBackoff time.Duration

// Backoff returns c, whatever the retry.
func (c ConstantBackoff) Backoff(retry int) time.Duration {
	return max(time.Duration(c), 0)
}
