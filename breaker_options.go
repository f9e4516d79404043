package dialx

import (
	"fmt"
	"time"
)

// The defaults of a Breaker.
const (
	defaultConsecutiveFailures = 5
	defaultForgetAfter         = 10 * time.Minute
	defaultMaxDestinations     = 10000
)

// defaultCoolDown is the Breaker's cool-down unless WithBackoff sets one.
var defaultCoolDown Backoff = ExponentialBackoff{
	Base: 5 * time.Second, Multiplier: 2, Jitter: 0.2, Max: 2 * time.Minute,
}

// WithConsecutiveFailures opens a [Breaker]'s circuit after n failures in a
// row (default 5; 0 turns it off). It panics if n is negative.
func WithConsecutiveFailures(n int) Option {
	if n < 0 {
		panic(fmt.Sprintf("dialx: WithConsecutiveFailures: n must be >= 0, got %d", n))
	}
	return &option{name: "WithConsecutiveFailures", to: takenByBreaker,
		set: func(s *settings) { s.consecutive = n }}
}

// WithFailureRatio also opens a [Breaker]'s circuit when at least ratio of
// the dials over the last window failed, once minDials were counted (default:
// off). It panics unless 0 < ratio <= 1, window > 0 and minDials >= 1.
func WithFailureRatio(ratio float64, window time.Duration, minDials int) Option {
	switch {
	case !(ratio > 0 && ratio <= 1):
		panic(fmt.Sprintf("dialx: WithFailureRatio: ratio must be in (0, 1], got %v", ratio))
	case window <= 0:
		panic(fmt.Sprintf("dialx: WithFailureRatio: window must be > 0, got %v", window))
	case minDials < 1:
		panic(fmt.Sprintf("dialx: WithFailureRatio: minDials must be >= 1, got %d", minDials))
	}
	return &option{name: "WithFailureRatio", to: takenByBreaker,
		set: func(s *settings) { s.ratio, s.window, s.minDials = ratio, window, minDials }}
}

// WithForget bounds a [Breaker]'s memory: a circuit neither dialed nor in
// its cool-down for idle (default 10 min), and not half-open, is forgotten
// within 2×idle, and at most max (default 10,000) are kept, idle ones
// dropped first. It panics unless idle > 0 and max >= 1.
func WithForget(idle time.Duration, max int) Option {
	switch {
	case idle <= 0:
		panic(fmt.Sprintf("dialx: WithForget: idle must be > 0, got %v", idle))
	case max < 1:
		panic(fmt.Sprintf("dialx: WithForget: max must be >= 1, got %d", max))
	}
	return &option{name: "WithForget", to: takenByBreaker,
		set: func(s *settings) { s.forgetAfter, s.maxDestinations = idle, max }}
}
