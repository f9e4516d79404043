package dialx

// Tracked reports how many circuits b keeps, for tests of its memory bound.
func (b *Breaker) Tracked() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tracked
}

// ResetTracing forgets that a Trace was ever attached, so that benchmarks
// can measure a program that never traces.
func ResetTracing() { tracing.Store(false) }
