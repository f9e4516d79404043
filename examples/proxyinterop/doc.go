// Package proxyinterop tests dialx's proxy dialers against proxy servers
// written elsewhere, started on loopback: HTTPProxy and ProxyFromEnvironment
// against github.com/elazarl/goproxy, a widely used HTTP proxy, and SOCKS5
// through ProxyFromEnvironment against github.com/armon/go-socks5, with
// username/password authentication and names resolved by the server.
//
// Both servers are given a dial function that maps the test's ".test"
// names to 127.0.0.1 and refuses every other destination, so no test
// reaches beyond the machine.
package proxyinterop
