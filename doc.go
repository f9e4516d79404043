// Package dialx provides composable decorators around a [Dialer]: the one
// method DialContext(ctx, network, address) that [net.Dialer],
// golang.org/x/net/proxy dialers, [net/http.Transport.DialContext] and
// grpc.WithContextDialer share.
//
// Each decorator wraps one or more Dialers and is a Dialer itself, so
// strategies stack like building blocks:
//
//	base := &net.Dialer{}
//	d := dialx.NewTimeout(dialx.NewRepeat(base, 3), 5*time.Second)
//	transport := &http.Transport{DialContext: d.DialContext}
//
// # The decorators
//
//   - [Repeat] retries a Dialer up to a number of tries, with an optional
//     [Backoff] between tries and a [Budget] that caps retries across Repeats.
//   - [Timeout] bounds a dial by a duration, even if the inner Dialer ignores ctx.
//   - [Delay] waits before dialing.
//   - [Reject] refuses every dial without touching the network.
//   - [Swappable] holds a Dialer that can be replaced atomically at run time.
//   - [Consecutive] tries several Dialers in order until one succeeds.
//   - [Random] tries several Dialers in a fresh random order on each dial.
//   - [Concurrent] races several Dialers and keeps the first connection, all
//     at once or staggered in the manner of Happy Eyeballs ([WithStagger]).
//   - [Selective] routes each dial by its destination through rules.
//   - [Resolve] resolves host names itself and dials the IP addresses, so
//     that the IP rules of a Selective also hold for names.
//   - [Guard] dials only public destinations: the blocks of
//     [NonPublicPrefixes] are refused, names are resolved and checked as
//     Resolve does, with exceptions given as rules (SSRF protection).
//   - [Limit] bounds how many dials are in flight at once, in total or per
//     destination.
//   - [Breaker] stops dialing a destination that keeps failing, for a
//     cool-down, then probes it with one dial.
//
// # Tracing
//
// [WithTrace] attaches a [Trace] to a dial's ctx: a set of hooks, in the
// manner of [net/http/httptrace], through which every decorator reports what
// it decided (a Repeat's tries and waits, the rule a Selective matched, the
// racer that won, a Breaker that refused) and each innermost dial reports its
// start, duration and error. [NewSlogTrace] logs them through [log/slog].
// Without a Trace, tracing costs no allocation.
//
// # Contract
//
// Every decorator honours ctx: once ctx is done it starts no further attempt
// and returns an error matching ctx.Err() under [errors.Is]. A decorator never
// returns a connection together with an error, nor a nil connection without
// one (an inner Dialer that does so has failed), and closes any connection
// that arrives after it stopped waiting for it. Errors made by this package
// are [*DialError] values, which name the decorator, network and address and
// keep the inner errors reachable by [errors.Is] and [errors.As] (of many
// attempts, the first and last four); timeouts satisfy [net.Error] with
// Timeout() true and match [context.DeadlineExceeded], like the errors of
// [net.Dialer]. A panic of an inner dial that a decorator runs on a
// goroutine of its own ([Timeout], [Concurrent], [Resolve], [FromProxy]) is
// raised again on the caller's goroutine with the same value while the
// caller waits for it, and dropped once the caller has gone.
//
// # Security
//
// The checks of [Selective], [Resolve] and [Guard] fail closed: an address
// is read in one canonical form (see [Selective]), anything that cannot be
// read that way is refused with [ErrInvalidAddress] before any rule or
// Dialer runs, input is bounded before any costly conversion, and the
// Dialer a rule names receives the canonical address that was checked, not
// the address as written.
//
// Every decorator also has a Dial(network, address) method that dials with
// [context.Background], so a stack can stand where a golang.org/x/net/proxy
// Dialer is expected. The other way round, [FromProxy] turns any
// golang.org/x/net/proxy Dialer, even one without DialContext, into a Dialer
// that honours ctx.
//
// All types in this package are safe for concurrent use by multiple
// goroutines.
package dialx
