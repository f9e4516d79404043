package dialx

import "time"

// defaultAttemptDelay is the Connection Attempt Delay that RFC 8305
// recommends: the stagger of a Resolve and a Guard unless WithStagger sets
// one.
const defaultAttemptDelay = 250 * time.Millisecond

// WithResolver makes a [Resolve] or a [Guard] look names up through resolver
// rather than [net.DefaultResolver] or a Guard's [*net.Dialer]'s own. It
// panics if resolver is nil.
func WithResolver(resolver Resolver) Option {
	if resolver == nil {
		panic("dialx: WithResolver: resolver must not be nil, got nil")
	}
	return &option{name: "WithResolver", to: takenByResolve | takenByGuard,
		set: func(s *settings) { s.resolver = resolver }}
}
