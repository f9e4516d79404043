package dialx

// CacheWaiters reports how many dials wait for a lookup of r's cache, so
// that a benchmark can release a held lookup once every dial shares it.
func (r *Resolve) CacheWaiters() int {
	r.cache.mu.Lock()
	defer r.cache.mu.Unlock()
	waiters := 0
	for _, call := range r.cache.calls {
		waiters += call.waiters
	}
	return waiters
}
