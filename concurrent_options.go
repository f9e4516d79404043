package dialx

// WithOptions returns a copy of c configured by opts ([WithStagger]).
func (c *Concurrent) WithOptions(opts ...Option) *Concurrent {
	s := settings{stagger: c.stagger}
	s.apply("Concurrent.WithOptions", takenByConcurrent, opts)
	clone := *c
	clone.stagger = s.stagger
	return &clone
}
