package dialx

// Tracked reports how many circuits b keeps, for tests of its memory bound.
func (b *Breaker) Tracked() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tracked
}
