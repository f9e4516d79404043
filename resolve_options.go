package dialx

import (
	"fmt"
	"time"
)

// ResolveOption configures a [Resolve], and how a [Guard] resolves names;
// see [WithResolver] and [WithAttemptDelay]. ResolveOption values are
// immutable and safe to share between goroutines.
type ResolveOption interface {
	GuardOption
	applyResolve(*Resolve)
}

type resolverOption struct{ resolver Resolver }

func (o resolverOption) applyResolve(r *Resolve)   { r.resolver = o.resolver }
func (o resolverOption) applyGuard(c *guardConfig) { c.resolve = append(c.resolve, o) }

// WithResolver makes a Resolve look names up through resolver instead of
// [net.DefaultResolver]. It panics if resolver is nil.
func WithResolver(resolver Resolver) ResolveOption {
	if resolver == nil {
		panic("dialx: WithResolver: nil Resolver")
	}
	return resolverOption{resolver: resolver}
}

// defaultAttemptDelay is the Connection Attempt Delay that RFC 8305
// recommends.
const defaultAttemptDelay = 250 * time.Millisecond

// WithAttemptDelay sets how long a [Resolve] lets each connection attempt
// run alone before it starts one to the next address; an attempt that fails
// starts the next one at once. RFC 8305 recommends 250 ms (the default) and
// asks for no less than 10 ms, so that a name with many addresses does not
// flood the network. A delay longer than any dial takes makes Resolve try
// the addresses strictly one after another.
//
// It panics if delay is not positive: a delay of 0 would start every
// address at once, which RFC 8305 advises against (a [Concurrent] without
// [WithStagger] does that, for a fixed set of routes).
func WithAttemptDelay(delay time.Duration) ResolveOption {
	if delay <= 0 {
		panic(fmt.Sprintf("dialx: WithAttemptDelay: delay must be > 0, got %v", delay))
	}
	return attemptDelay(delay)
}

type attemptDelay time.Duration

func (d attemptDelay) applyResolve(r *Resolve)   { r.attemptDelay = time.Duration(d) }
func (d attemptDelay) applyGuard(c *guardConfig) { c.resolve = append(c.resolve, d) }
