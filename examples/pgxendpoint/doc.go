// Package pgxendpoint holds only tests: pgx dials through dialx.NewEndpoint
// in a Consecutive, replica failover in one line, to loopback listeners the
// tests start, which play a PostgreSQL server's first message.
package pgxendpoint
