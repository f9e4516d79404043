// Package dialx provides composable decorators around a [Dialer], the method
// that [net.Dialer], golang.org/x/net/proxy dialers, [net/http.Transport] and
// grpc.WithContextDialer share. Each decorator wraps Dialers and is one, so
// strategies stack:
//
//	d := dialx.NewTimeout(dialx.NewRepeat(&net.Dialer{}, 3), 5*time.Second)
//	transport := &http.Transport{DialContext: d.DialContext}
//
// The decorators:
//
//   - [Repeat] retries, waiting as a [Backoff] says, within a shared [Budget].
//   - [Timeout] bounds a dial, even one that ignores ctx; [Delay] waits first.
//   - [Reject] refuses every dial; [Swappable] holds a Dialer replaced at run time.
//   - [Consecutive] fails over in order, [Random] in a random order, and
//     [Balancer] to the healthiest, by measured connect times.
//   - [Concurrent] races Dialers, at once or staggered as in Happy Eyeballs.
//   - [Endpoint] dials one fixed address, a replica of a failover list.
//   - [Selective] routes each dial by rules on its address; [NewListed] maps a
//     whole block list onto one Dialer, and [Reloading] re-reads it from a file.
//   - [Resolve] resolves names itself, so that IP rules hold for names, and
//     caches answers with [WithCache].
//   - [Guard] dials only public destinations, against request forgery (SSRF).
//   - [Breaker] stops dialing a destination that keeps failing.
//   - [Limit] bounds the dials in flight.
//   - [Tracker] keeps the connections it handed out, to cut them on demand.
//   - [TLS] makes a TLS client handshake over any Dialer's connection.
//   - [HTTPProxy] tunnels through an HTTP CONNECT proxy, and
//     [ProxyFromEnvironment] routes as HTTP_PROXY, HTTPS_PROXY and NO_PROXY say.
//   - [FromProxy] makes a Dialer of any golang.org/x/net/proxy Dialer.
//
// Each keeps the [Dialer] contract, closes a connection that arrives after it
// stopped waiting, and raises again on the caller's goroutine the panic of an
// inner dial it ran on another. The errors it makes are [*DialError] values
// that keep inner errors reachable; its timeouts are [net.Error] values that
// match [context.DeadlineExceeded]. Each has Dial(network, address) too, and is safe
// for concurrent use by multiple goroutines.
//
// Constructors take trailing [Option] values; those whose Dialers are a variadic
// list take them through a WithOptions method that returns a configured copy
// ([Concurrent], [Balancer]). A misapplied Option or a bad value panics.
//
// A Dialer of your own takes part through an Unwrap method if it passes dials
// on, and a Refusal method if it can tell it would refuse one (see [Dialer]).
// [WithTrace] gives a dial's ctx a [Trace] that receives each step as an [Event].
//
// [Selective], [Resolve] and [Guard] check addresses with package
// [github.com/dialx/dialx/rules], which needs no Dialer; their checks fail closed.
package dialx
