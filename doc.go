// Package dialx provides composable decorators around a [Dialer], the one
// method that [net.Dialer], golang.org/x/net/proxy dialers,
// [net/http.Transport] and grpc.WithContextDialer share.
//
// Each decorator wraps one or more Dialers and is a Dialer itself, so
// strategies stack:
//
//	d := dialx.NewTimeout(dialx.NewRepeat(&net.Dialer{}, 3), 5*time.Second)
//	transport := &http.Transport{DialContext: d.DialContext}
//
// # Decorators
//
//   - [Repeat] retries, with a [Backoff] between tries and a shared [Budget].
//   - [Timeout] bounds a dial, even one that ignores ctx; [Delay] waits first.
//   - [Reject] refuses every dial; [Swappable] holds a Dialer replaced at run time.
//   - [Consecutive] fails over in order, [Random] in a random order;
//     [Concurrent] races Dialers, at once or staggered as in Happy Eyeballs.
//   - [Selective] routes each dial by rules on its address; [Resolve] resolves
//     names itself so that IP rules hold for names; [Guard] dials only public
//     destinations, against server-side request forgery.
//   - [Breaker] stops dialing a destination that keeps failing; [Limit]
//     bounds the dials in flight.
//   - [FromProxy] turns any golang.org/x/net/proxy Dialer into a Dialer.
//
// # Contract
//
// A Dialer honours ctx: once ctx is done it starts no further attempt and
// returns an error matching ctx.Err(). It never returns a connection together
// with an error, and a decorator closes any connection that arrives after it
// stopped waiting. Errors made here are [*DialError] values that name the
// decorator, network and address and keep inner errors reachable by
// [errors.Is] and [errors.As]; timeouts are [net.Error] values with Timeout()
// true that match [context.DeadlineExceeded]. A panic of an inner dial that a
// decorator runs on a goroutine of its own is raised again on the caller's.
// Every decorator also has Dial(network, address) and is safe for concurrent
// use by multiple goroutines.
//
// # Options
//
// Constructors take trailing [Option] values. Each With function says which
// constructors take it; an Option given to another constructor panics, as do
// bad values, naming the function and the value. Constructors whose Dialers
// are a variadic list take options through a WithOptions method that returns
// a configured copy instead; of those, only [Concurrent] has options yet:
//
//	r := dialx.NewRepeat(base, 3, dialx.WithBackoff(dialx.ExponentialBackoff{}))
//	c := dialx.NewConcurrent(v6, v4).WithOptions(dialx.WithStagger(250 * time.Millisecond))
//
// # Tracing and your own Dialers
//
// [WithTrace] attaches a [Trace] to a dial's ctx; each decorator reports to it
// what it decided as an [Event], and each innermost dial its start and end.
// A Dialer of your own reports through [ContextTrace], and may tell the
// package more with two methods:
//
//	Unwrap() []Dialer // the Dialers it passes dials on to, a slice it keeps
//	Refusal(ctx context.Context, network, address string) error // non-nil: it would refuse
//
// A dial handed to a Dialer with Unwrap is not traced as innermost.
// [Selective.ControlContext] and [Guard] ask a Refusal method, without
// dialing, and look through a Dialer whose Unwrap returns one Dialer.
//
// # Rules
//
// Selective, Resolve and Guard are built on package
// [github.com/dialx/dialx/rules], which holds the pattern grammar, the
// canonical form of addresses and the non-public address blocks, and needs no
// Dialer. Their checks fail closed: an address that cannot be read in
// canonical form is refused, and a rule's Dialer receives the address checked.
package dialx
