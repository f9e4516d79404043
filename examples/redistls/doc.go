// Package redistls holds only tests: go-redis dials through dialx.NewTLS to a
// real redis-server that the tests start with TLS on loopback, with a
// certificate they make. go-redis ignores its own TLSConfig once a Dialer is
// given, so the Dialer makes the handshake.
//
// The tests need redis-server (Debian's package has TLS). Without it they
// are skipped, except under CI=true, where its absence fails them.
package redistls
