package dialx

import (
	"sync"
	"time"
)

// Tracked reports how many circuits b keeps, for tests of its memory bound.
func (b *Breaker) Tracked() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tracked
}

// WithRand returns e drawing its jitter from random, which returns numbers
// in [0, 1), instead of math/rand/v2, so that tests can fix or seed the
// waits. Calls of random are serialised, so the Float64 method of a seeded
// *rand.Rand will do even when dials run in parallel.
func (e ExponentialBackoff) WithRand(random func() float64) Backoff {
	return &randBackoff{backoff: e, random: random}
}

type randBackoff struct {
	backoff ExponentialBackoff
	mu      sync.Mutex
	random  func() float64
}

func (b *randBackoff) Backoff(retry int) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.backoff.wait(retry, b.random)
}
