package dialx

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"time"
)

// Option configures a decorator when it is built. Each With function names
// the constructors that take it; any other constructor panics when given it.
// An Option is safe for concurrent use by multiple goroutines.
type Option interface {
	// option is unexported, as in go.uber.org/goleak, so that only this
	// package's With functions make an Option.
	option() *option
}

// option is the one implementation of Option.
type option struct {
	name string          // the With function, for panics
	to   taker           // the decorators that take it
	set  func(*settings) // records it in a constructor's settings
}

func (o *option) option() *option { return o }

// taker is a set of the decorators that take options.
type taker uint16

const (
	takenByRepeat taker = 1 << iota
	takenByBreaker
	takenByLimit
	takenByConcurrent
	takenByResolve
	takenByGuard
	takenByHTTPProxy
	takenByTracker
	takenByBalancer
	takenByReloading
)

// name is the decorator t stands for, for panics.
func (t taker) name() string {
	switch t {
	case takenByRepeat:
		return "Repeat"
	case takenByBreaker:
		return "Breaker"
	case takenByLimit:
		return "Limit"
	case takenByConcurrent:
		return "Concurrent"
	case takenByResolve:
		return "Resolve"
	case takenByHTTPProxy:
		return "HTTPProxy"
	case takenByTracker:
		return "Tracker"
	case takenByBalancer:
		return "Balancer"
	case takenByReloading:
		return "Reloading"
	}
	return "Guard"
}

// settings is what the options given to one constructor set; each
// decorator reads the fields it takes, the constructor having filled in its
// defaults before the options apply.
type settings struct {
	backoff   Backoff          // Repeat: wait between tries; Breaker: cool-down
	budget    *Budget          // Repeat
	retryable func(error) bool // Repeat
	key       func(network, address string) string

	// Breaker: when a circuit opens, and when it is forgotten.
	consecutive     int
	ratio           float64
	window          time.Duration
	minDials        int
	forgetAfter     time.Duration
	maxDestinations int

	stagger    time.Duration // Concurrent, Resolve, Guard
	resolver   Resolver      // Resolve, Guard
	exceptions []Rule        // Guard

	proxyTLS    *tls.Config   // HTTPProxy
	proxyHeader http.Header   // HTTPProxy
	cache       *DNSCache     // Resolve, Guard
	balance     balancing     // Balancer
	interval    time.Duration // Reloading
}

// apply records opts in s for constructor, which builds a who. It panics
// on an Option that does not apply to a who, or a nil one.
func (s *settings) apply(constructor string, who taker, opts []Option) {
	for _, opt := range opts {
		if opt == nil {
			panic(fmt.Sprintf("dialx: %s: Option must not be nil, got nil", constructor))
		}
		o := opt.option()
		if o.to&who == 0 {
			panic(fmt.Sprintf("dialx: %s: %s does not apply to a %s", constructor, o.name, who.name()))
		}
		o.set(s)
	}
}

// WithKey makes dials of the same key share one circuit of a [Breaker]
// (default: one per address), one set of slots of a [Limit] (default: one
// for all dials), one destination of a [Tracker] (default: the address), or
// go to one member of a [Balancer] while it is healthy (default: each dial
// to the least loaded). It panics if key is nil.
func WithKey(key func(network, address string) string) Option {
	if key == nil {
		panic("dialx: WithKey: key must not be nil, got nil")
	}
	return &option{name: "WithKey", to: takenByBreaker | takenByLimit | takenByTracker | takenByBalancer,
		set: func(s *settings) { s.key = key }}
}

// WithStagger starts the attempts of a race one after another, each delay
// after the previous one started or as soon as an attempt fails, whichever
// comes first, while the attempts already started go on: Happy Eyeballs
// (RFC 8305). It applies to a [Concurrent] (through
// [Concurrent.WithOptions]; default 0, all at once), and to the resolved
// addresses of a [Resolve] or a [Guard] (default 250 ms, RFC 8305's
// Connection Attempt Delay; the RFC asks for no less than 10 ms). A delay
// of 0 starts every attempt at once. It panics if delay is negative.
func WithStagger(delay time.Duration) Option {
	if delay < 0 {
		panic(fmt.Sprintf("dialx: WithStagger: delay must be >= 0, got %v", delay))
	}
	return &option{name: "WithStagger", to: takenByConcurrent | takenByResolve | takenByGuard,
		set: func(s *settings) { s.stagger = delay }}
}

// WithInterval makes a [Reloading] check its file every interval, off the
// dial path, and read it again when it changed (default: only when
// [Reloading.Reload] is called). Such a Reloading runs a goroutine that
// [Reloading.Close] stops. It panics if interval is not positive.
func WithInterval(interval time.Duration) Option {
	if interval <= 0 {
		panic(fmt.Sprintf("dialx: WithInterval: interval must be > 0, got %v", interval))
	}
	return &option{name: "WithInterval", to: takenByReloading,
		set: func(s *settings) { s.interval = interval }}
}
