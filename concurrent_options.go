package dialx

import (
	"fmt"
	"time"
)

// ConcurrentOption configures a [Concurrent]; apply options with
// [Concurrent.WithOptions]. Options are immutable values, safe to share
// between goroutines and Concurrents.
type ConcurrentOption interface {
	applyConcurrent(*Concurrent)
}

// WithOptions returns a copy of c configured by opts; c itself is unchanged.
//
//	d := dialx.NewConcurrent(v6, v4).WithOptions(dialx.WithStagger(250 * time.Millisecond))
func (c *Concurrent) WithOptions(opts ...ConcurrentOption) *Concurrent {
	clone := *c
	for _, o := range opts {
		o.applyConcurrent(&clone)
	}
	return &clone
}

// WithStagger makes a [Concurrent] start its attempts one after another:
// each one delay after the previous one started, or as soon as an attempt
// fails, whichever comes first. RFC 8305 recommends 250 ms between attempts
// (its Connection Attempt Delay). A delay of 0 starts them all at once,
// as without the option.
// It panics if delay is negative.
func WithStagger(delay time.Duration) ConcurrentOption {
	if delay < 0 {
		panic(fmt.Sprintf("dialx: WithStagger: delay must be >= 0, got %v", delay))
	}
	return stagger(delay)
}

type stagger time.Duration

func (d stagger) applyConcurrent(c *Concurrent) { c.stagger = time.Duration(d) }
