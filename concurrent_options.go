package dialx

// WithOptions returns a copy of c configured by opts ([WithStagger]); c
// itself is unchanged. Options come through this method rather than
// [NewConcurrent], whose Dialers are a variadic list.
//
//	d := dialx.NewConcurrent(v6, v4).WithOptions(dialx.WithStagger(250 * time.Millisecond))
func (c *Concurrent) WithOptions(opts ...Option) *Concurrent {
	s := settings{stagger: c.stagger}
	s.apply("Concurrent.WithOptions", takenByConcurrent, opts)
	clone := *c
	clone.stagger = s.stagger
	return &clone
}
