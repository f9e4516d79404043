package dialx

// Tracked reports how many circuits b keeps, for tests of its memory bound.
func (b *Breaker) Tracked() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.circuits)
}
