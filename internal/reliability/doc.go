// Package reliability holds the integration tests that prove dialx against
// real sockets on loopback: every decorator against every fault of
// internal/faultnet, cancellation at random points, a load test, hot swaps
// under load and interoperation with golang.org/x/net/proxy. It has no code
// of its own; see RELIABILITY.md at the root of the module for the results.
package reliability
